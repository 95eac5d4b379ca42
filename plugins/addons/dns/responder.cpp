// The order of decisions: unreadable → FORMERR/NOTIMP; unsupported → BADVERS/REFUSED; ours →
// the zone (maybe short-circuited, maybe continued upstream); not ours → upstream or REFUSED.
#include "responder.hpp"

#include "autopath.hpp"
#include "zone_lookup.hpp"

namespace skiff::dns {

namespace {

Reply finish(ResponseBuilder& response, std::uint16_t qtype) {
  Reply reply;
  reply.qtype = qtype;
  reply.rcode = response.rcode();
  reply.truncated = response.truncated();
  reply.message = response.finish();
  return reply;
}

std::vector<ChainLink> chain_of(const LocalAnswer& answer) {
  std::vector<ChainLink> chain;
  for (const auto& set : answer.answer) {
    if (set.rrset.type != KNOT_RRTYPE_CNAME) continue;
    const knot_rdata_t* rdata = knot_rdataset_at(&set.rrset.rrs, 0);
    chain.push_back({WireName(reinterpret_cast<const char*>(set.rrset.owner), knot_dname_size(set.rrset.owner)),
                     WireName(reinterpret_cast<const char*>(rdata->data), rdata->len), set.owner_is_qname});
  }
  return chain;
}

PendingReply pending_reply(Query query, Transport transport, std::vector<ChainLink> chain, const WireName& name) {
  PendingReply pending;
  pending.question = {name, query.qtype, query.qclass, query.dnssec_ok};
  pending.query = std::move(query);
  pending.transport = transport;
  pending.chain = std::move(chain);
  return pending;
}

// The upstream's records of one section, their TTLs aged by the time they sat in a cache.
void copy_section(ResponseBuilder& response, const knot_pkt_t* upstream, knot_section_t section, std::uint32_t age,
                  const WireName* qname) {
  const knot_pktsection_t* records = knot_pkt_section(upstream, section);
  for (std::uint16_t i = 0; i < records->count; ++i) {
    knot_rrset_t rrset = *knot_pkt_rr(records, i);
    if (rrset.type == KNOT_RRTYPE_OPT || rrset.type == KNOT_RRTYPE_TSIG) continue;
    rrset.ttl = rrset.ttl > age ? rrset.ttl - age : 0;
    bool is_qname = qname && knot_dname_is_equal(rrset.owner, reinterpret_cast<const knot_dname_t*>(qname->data()));
    response.put(section, rrset, is_qname ? KNOT_COMPR_HINT_QNAME : KNOT_COMPR_HINT_NONE);
  }
}

// One query's pass over the zone, under its read lock.
struct LocalPass {
  const ZoneView& view;
  Query& query;
  Transport transport;
  const ResponderOptions& options;
  LookupScratch scratch;

  Reply reply(const LocalAnswer& answer) {
    ResponseBuilder response(query, query.response_limit(transport, options.udp_payload), options.udp_payload);
    response.set_authoritative();
    if (options.forwarding) response.set_recursion_available();
    response.set_rcode(answer.rcode);
    write_local_answer(response, answer);
    return finish(response, query.qtype);
  }

  Outcome upstream(std::vector<ChainLink> chain, const WireName& name) {
    WireName asked = name;  // `name` may be the query's own, which is moved away next
    return {std::nullopt, pending_reply(std::move(query), transport, std::move(chain), asked)};
  }

  // The client's search would end at `target`: answer that behind a CNAME from the qname, or,
  // when nothing comes of it, what the qname alone gets (`original`).
  Outcome short_circuit(const LocalAnswer& original, const WireName& target) {
    Reply fallback = reply(original);
    std::vector<ChainLink> chain{{query.qname, target, true}};
    std::optional<WireName> asked = target;
    if (authority_apex(view, target)) {
      LocalAnswer found = lookup(view, target, query.qtype, scratch);
      if (found.rcode != KNOT_RCODE_NOERROR) return {fallback, std::nullopt};
      if (!found.external_target || !options.forwarding) {
        Reply answered = reply(behind_cname(found, target));
        answered.short_circuited = true;
        return {std::move(answered), std::nullopt};
      }
      for (auto& link : chain_of(found)) {
        link.owner_is_qname = false;  // owned by the target, not by the question
        chain.push_back(std::move(link));
      }
      asked = found.external_target;
    } else if (!options.forwarding) {
      return {fallback, std::nullopt};
    }
    auto pending = pending_reply(std::move(query), transport, std::move(chain), *asked);
    pending.fallback = std::move(fallback);
    pending.short_circuited = true;
    return {std::nullopt, std::move(pending)};
  }

  LocalAnswer behind_cname(LocalAnswer found, const WireName& target) {
    auto& set = scratch.sets.emplace_back();
    set.assign({target});
    knot_rrset_t cname;
    auto* owner = reinterpret_cast<knot_dname_t*>(scratch.names.emplace_back(query.qname).data());
    knot_rrset_init(&cname, owner, KNOT_RRTYPE_CNAME, KNOT_CLASS_IN, view.settings.config.ttl);
    cname.rrs = set.get();
    for (auto& answer_set : found.answer) answer_set.owner_is_qname = false;
    found.answer.insert(found.answer.begin(), AnswerSet{cname, true});
    return found;
  }
};

}  // namespace

Responder::Responder(const ClusterZone& zone, ResponderOptions options) : zone_(zone), options_(options) {}

Outcome Responder::respond(std::span<const std::uint8_t> message, const Client& client) const {
  auto parsed = parse_query(message);
  if (auto* unanswerable = std::get_if<Unanswerable>(&parsed)) {
    auto error = error_reply(message, unanswerable->kind);
    if (error.empty()) return {};
    Reply reply;
    reply.message.assign(error.begin(), error.end());
    reply.rcode = unanswerable->kind == Unanswerable::Kind::FormatError ? KNOT_RCODE_FORMERR : KNOT_RCODE_NOTIMPL;
    return {reply, std::nullopt};
  }
  auto& query = std::get<Query>(parsed);
  if (auto refused = refusal(query, client.transport)) return std::move(*refused);
  return answer_locally(std::move(query), client);
}

std::optional<Outcome> Responder::refusal(const Query& query, Transport transport) const {
  if (query.edns && query.edns_version > 0) return Outcome{simple_reply(query, transport, KNOT_RCODE_BADVERS), std::nullopt};
  bool transfer = query.qtype == KNOT_RRTYPE_AXFR || query.qtype == KNOT_RRTYPE_IXFR;
  if (query.qclass != KNOT_CLASS_IN || transfer) {
    return Outcome{simple_reply(query, transport, KNOT_RCODE_REFUSED), std::nullopt};
  }
  return std::nullopt;
}

Reply Responder::simple_reply(const Query& query, Transport transport, std::uint16_t rcode) const {
  ResponseBuilder response(query, query.response_limit(transport, options_.udp_payload), options_.udp_payload);
  response.set_rcode(rcode);
  if (options_.forwarding) response.set_recursion_available();
  return finish(response, query.qtype);
}

Outcome Responder::answer_locally(Query query, const Client& client) const {
  return zone_.read([&](const ZoneView& view) {
    LocalPass pass{view, query, client.transport, options_, {}};
    LocalAnswer local = lookup(view, query.qname, query.qtype, pass.scratch);
    if (!local.ours) {
      if (!options_.forwarding) return Outcome{simple_reply(query, client.transport, KNOT_RCODE_REFUSED), std::nullopt};
      return pass.upstream({}, query.qname);
    }
    if (local.rcode == KNOT_RCODE_NXDOMAIN && local.answer.empty()) {
      // Only now is the client worth looking up: most queries are not NXDOMAIN.
      auto pod = client.address ? view.clients.find(*client.address) : std::nullopt;
      if (auto target = autopath_target(view, query.qname, pod, pass.scratch)) return pass.short_circuit(local, *target);
    }
    if (local.external_target && options_.forwarding) return pass.upstream(chain_of(local), *local.external_target);
    return Outcome{pass.reply(local), std::nullopt};
  });
}

Reply Responder::complete(const PendingReply& pending, const UpstreamReply& upstream) const {
  const Query& query = pending.query;
  auto limit = query.response_limit(pending.transport, options_.udp_payload);
  std::vector<std::uint8_t> copy = upstream.message;
  PacketPtr packet;
  if (upstream.status == UpstreamReply::Status::Answered && copy.size() >= KNOT_WIRE_HEADER_SIZE) {
    packet.reset(knot_pkt_new(copy.data(), static_cast<std::uint16_t>(copy.size()), nullptr));
    if (packet && knot_pkt_parse(packet.get(), 0) != KNOT_EOK) packet.reset();
  }
  std::uint16_t rcode = packet ? knot_wire_get_rcode(packet->wire) : std::uint16_t{KNOT_RCODE_SERVFAIL};
  if (pending.fallback && rcode != KNOT_RCODE_NOERROR) return *pending.fallback;
  ResponseBuilder response(query, limit, options_.udp_payload);
  response.set_recursion_available();
  response.set_rcode(rcode);
  for (const auto& link : pending.chain) {
    OwnedRdataset target;
    target.assign({link.target});
    knot_rrset_t cname;
    knot_rrset_init(&cname, reinterpret_cast<knot_dname_t*>(const_cast<char*>(link.owner.data())), KNOT_RRTYPE_CNAME,
                    KNOT_CLASS_IN, zone_.settings().config.ttl);
    cname.rrs = target.get();
    response.put(KNOT_ANSWER, cname, link.owner_is_qname ? KNOT_COMPR_HINT_QNAME : KNOT_COMPR_HINT_NONE);
  }
  if (packet) {
    const WireName* qname = pending.chain.empty() ? &query.qname : nullptr;
    for (auto section : {KNOT_ANSWER, KNOT_AUTHORITY, KNOT_ADDITIONAL}) {
      copy_section(response, packet.get(), section, upstream.age_seconds, qname);
    }
  }
  Reply reply = finish(response, query.qtype);
  reply.short_circuited = pending.short_circuited;
  return reply;
}

}  // namespace skiff::dns
