// TTLs are read with libknot; entries expire by the clock and leave by recency.
#include "answer_cache.hpp"

#include "knot.hpp"

#include <algorithm>

#include "dns_message.hpp"

namespace skiff::dns {

namespace {

std::optional<std::uint32_t> negative_ttl(const knot_pkt_t* packet) {
  const knot_pktsection_t* authority = knot_pkt_section(packet, KNOT_AUTHORITY);
  for (std::uint16_t i = 0; i < authority->count; ++i) {
    const knot_rrset_t* rrset = knot_pkt_rr(authority, i);
    if (rrset->type != KNOT_RRTYPE_SOA || rrset->rrs.count == 0) continue;
    return std::min(rrset->ttl, knot_soa_minimum(rrset->rrs.rdata));
  }
  return std::nullopt;
}

std::optional<std::uint32_t> positive_ttl(const knot_pkt_t* packet) {
  std::optional<std::uint32_t> ttl;
  for (auto section : {KNOT_ANSWER, KNOT_AUTHORITY}) {
    const knot_pktsection_t* records = knot_pkt_section(packet, section);
    for (std::uint16_t i = 0; i < records->count; ++i) {
      auto record_ttl = knot_pkt_rr(records, i)->ttl;
      ttl = ttl ? std::min(*ttl, record_ttl) : record_ttl;
    }
  }
  return ttl;
}

}  // namespace

std::optional<std::uint32_t> cacheable_ttl(std::span<const std::uint8_t> message, std::uint32_t max_ttl) {
  if (message.size() < KNOT_WIRE_HEADER_SIZE || message.size() > KNOT_WIRE_MAX_PKTSIZE) return std::nullopt;
  std::vector<std::uint8_t> copy(message.begin(), message.end());
  PacketPtr packet(knot_pkt_new(copy.data(), static_cast<std::uint16_t>(copy.size()), nullptr));
  if (!packet || knot_pkt_parse(packet.get(), 0) != KNOT_EOK || knot_wire_get_tc(packet->wire)) return std::nullopt;
  auto rcode = knot_wire_get_rcode(packet->wire);
  bool answered = knot_pkt_section(packet.get(), KNOT_ANSWER)->count > 0;
  std::optional<std::uint32_t> ttl;
  if (rcode == KNOT_RCODE_NOERROR && answered) {
    ttl = positive_ttl(packet.get());
  } else if (rcode == KNOT_RCODE_NOERROR || rcode == KNOT_RCODE_NXDOMAIN) {
    ttl = negative_ttl(packet.get());
  }
  if (!ttl || *ttl == 0) return std::nullopt;
  return std::min(*ttl, max_ttl);
}

std::string AnswerCache::key_of(const UpstreamQuestion& question) {
  std::string key = question.name;
  for (auto value : {question.qtype, question.qclass, static_cast<std::uint16_t>(question.dnssec_ok)}) {
    key.push_back(static_cast<char>(value >> 8));
    key.push_back(static_cast<char>(value & 0xff));
  }
  return key;
}

std::optional<UpstreamReply> AnswerCache::find(const UpstreamQuestion& question, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(key_of(question));
  if (found == entries_.end()) return std::nullopt;
  if (now >= found->second.expires) {
    recency_.erase(found->second.recency);
    entries_.erase(found);
    return std::nullopt;
  }
  recency_.splice(recency_.begin(), recency_, found->second.recency);
  UpstreamReply reply;
  reply.status = UpstreamReply::Status::Answered;
  reply.message = found->second.message;
  reply.age_seconds = static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(now - found->second.stored).count());
  reply.from_cache = true;
  return reply;
}

bool AnswerCache::store(const UpstreamQuestion& question, std::span<const std::uint8_t> message, Clock::time_point now) {
  if (capacity_ == 0) return false;
  auto ttl = cacheable_ttl(message, max_ttl_);
  if (!ttl) return false;
  auto key = key_of(question);
  std::lock_guard lock(mutex_);
  if (auto old = entries_.find(key); old != entries_.end()) {
    recency_.erase(old->second.recency);
    entries_.erase(old);
  }
  while (entries_.size() >= capacity_) {
    entries_.erase(recency_.back());
    recency_.pop_back();
  }
  recency_.push_front(key);
  entries_[key] = Entry{{message.begin(), message.end()}, now, now + std::chrono::seconds(*ttl), recency_.begin()};
  return true;
}

std::size_t AnswerCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace skiff::dns
