// libknot parses; this decides what its verdict means for the reply.
#include "dns_message.hpp"

#include <algorithm>
#include <cstring>

namespace skiff::dns {

namespace {

bool meta_type(std::uint16_t qtype) {
  return qtype == KNOT_RRTYPE_OPT || qtype == KNOT_RRTYPE_TSIG || qtype == KNOT_RRTYPE_TKEY;
}

template <class Bytes>
PacketPtr packet_over(Bytes& bytes) {
  return PacketPtr(knot_pkt_new(bytes.data(), static_cast<std::uint16_t>(bytes.size()), nullptr));
}

}  // namespace

std::uint16_t Query::response_limit(Transport transport, std::uint16_t our_payload) const {
  if (transport == Transport::Tcp) return KNOT_WIRE_MAX_PKTSIZE;
  if (!edns) return KNOT_WIRE_MIN_PKTSIZE;
  return std::clamp<std::uint16_t>(edns_payload, KNOT_WIRE_MIN_PKTSIZE, std::max<std::uint16_t>(our_payload, 512));
}

std::variant<Query, Unanswerable> parse_query(std::span<const std::uint8_t> bytes) {
  using Kind = Unanswerable::Kind;
  if (bytes.size() < KNOT_WIRE_HEADER_SIZE || bytes.size() > KNOT_WIRE_MAX_PKTSIZE) return Unanswerable{Kind::Drop};
  if (knot_wire_get_qr(bytes.data())) return Unanswerable{Kind::Drop};  // a response: never answer one
  if (knot_wire_get_opcode(bytes.data()) != KNOT_OPCODE_QUERY) return Unanswerable{Kind::NotImplemented};
  Query query;
  query.bytes.assign(bytes.begin(), bytes.end());
  query.packet = packet_over(query.bytes);
  if (!query.packet) return Unanswerable{Kind::Drop};
  if (knot_wire_get_qdcount(bytes.data()) != 1) return Unanswerable{Kind::FormatError};
  if (knot_pkt_parse(query.packet.get(), 0) != KNOT_EOK) return Unanswerable{Kind::FormatError};
  query.qname = lowercase_copy(knot_pkt_qname(query.packet.get()));
  query.qtype = knot_pkt_qtype(query.packet.get());
  query.qclass = knot_pkt_qclass(query.packet.get());
  if (meta_type(query.qtype)) return Unanswerable{Kind::FormatError};
  // Answers or authority in a query are not ours to interpret, but they are legal; ignored.
  if (const knot_rrset_t* opt = query.packet->opt_rr) {
    query.edns = true;
    query.edns_payload = knot_edns_get_payload(opt);
    query.edns_version = knot_edns_get_version(opt);
    query.dnssec_ok = knot_edns_do(opt);
  }
  return query;
}

std::string error_reply(std::span<const std::uint8_t> bytes, Unanswerable::Kind kind) {
  if (kind == Unanswerable::Kind::Drop || bytes.size() < KNOT_WIRE_HEADER_SIZE) return {};
  std::string reply(KNOT_WIRE_HEADER_SIZE, '\0');
  auto* wire = reinterpret_cast<std::uint8_t*>(reply.data());
  knot_wire_set_id(wire, knot_wire_get_id(bytes.data()));
  knot_wire_set_opcode(wire, knot_wire_get_opcode(bytes.data()));
  if (knot_wire_get_rd(bytes.data())) knot_wire_set_rd(wire);
  knot_wire_set_qr(wire);
  knot_wire_set_rcode(wire, kind == Unanswerable::Kind::FormatError ? KNOT_RCODE_FORMERR : KNOT_RCODE_NOTIMPL);
  // Echo the question when libknot can read one (a valid name and its type and class).
  std::string copy(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  PacketPtr packet = packet_over(copy);
  if (packet && knot_wire_get_qdcount(bytes.data()) == 1 && knot_pkt_parse_question(packet.get()) == KNOT_EOK) {
    reply.append(copy, KNOT_WIRE_HEADER_SIZE, knot_pkt_question_size(packet.get()));  // name, type, class
    knot_wire_set_qdcount(reinterpret_cast<std::uint8_t*>(reply.data()), 1);
  }
  return reply;
}

}  // namespace skiff::dns
