// Space for the OPT record is reserved first, so records never crowd it out.
#include "response_builder.hpp"

#include <stdexcept>

namespace skiff::dns {

ResponseBuilder::ResponseBuilder(const Query& query, std::uint16_t limit, std::uint16_t our_payload)
    : buffer_(limit), packet_(knot_pkt_new(buffer_.data(), limit, nullptr)) {
  knot_rrset_init_empty(&opt_);
  if (!packet_ || knot_pkt_init_response(packet_.get(), query.packet.get()) != KNOT_EOK) {
    throw std::runtime_error("dns: cannot start a response of " + std::to_string(limit) + " bytes");
  }
  if (query.edns) {
    edns_ = knot_edns_init(&opt_, our_payload, 0, 0, nullptr) == KNOT_EOK;
    if (edns_ && query.dnssec_ok) knot_edns_set_do(&opt_);
    reserved_ = edns_ ? static_cast<std::uint16_t>(knot_edns_wire_size(&opt_)) : 0;
    if (edns_ && knot_pkt_reserve(packet_.get(), reserved_) != KNOT_EOK) edns_ = false;
  }
}

ResponseBuilder::~ResponseBuilder() { knot_rrset_clear(&opt_, nullptr); }

void ResponseBuilder::set_rcode(std::uint16_t rcode) {
  rcode_ = rcode;
  knot_wire_set_rcode(packet_->wire, KNOT_EDNS_RCODE_LO(rcode));
  if (edns_) knot_edns_set_ext_rcode(&opt_, static_cast<std::uint8_t>(KNOT_EDNS_RCODE_HI(rcode)));
}

void ResponseBuilder::set_authoritative() { knot_wire_set_aa(packet_->wire); }

void ResponseBuilder::set_recursion_available() { knot_wire_set_ra(packet_->wire); }

bool ResponseBuilder::put(knot_section_t section, const knot_rrset_t& rrset, std::uint16_t hint, std::uint16_t rotate) {
  if (truncated_) return false;
  if (section != section_) {
    section_ = section;
    knot_pkt_begin(packet_.get(), section);
  }
  bool optional = section == KNOT_ADDITIONAL;
  int result = knot_pkt_put_rotate(packet_.get(), hint, &rrset, rotate, optional ? KNOT_PF_NOTRUNC : 0);
  if (result == KNOT_EOK) return true;
  if (!optional) {
    truncated_ = true;
    knot_wire_set_tc(packet_->wire);
  }
  return false;
}

std::vector<std::uint8_t> ResponseBuilder::finish() {
  if (edns_) {
    knot_pkt_reclaim(packet_.get(), reserved_);
    if (section_ != KNOT_ADDITIONAL) knot_pkt_begin(packet_.get(), KNOT_ADDITIONAL);
    knot_pkt_put(packet_.get(), KNOT_COMPR_HINT_NONE, &opt_, KNOT_PF_NOTRUNC);
  }
  buffer_.resize(packet_->size);
  packet_.reset();
  return std::move(buffer_);
}

}  // namespace skiff::dns
