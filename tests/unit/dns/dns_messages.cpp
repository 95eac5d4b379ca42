// Queries built and responses read with libknot, never by hand.
#include "dns_messages.hpp"

#include "knot.hpp"

#include <algorithm>
#include <memory>

namespace skiff::dns::test {

namespace {

struct PacketFree {
  void operator()(knot_pkt_t* packet) const { knot_pkt_free(packet); }
};
using Packet = std::unique_ptr<knot_pkt_t, PacketFree>;

std::string printed_name(const knot_dname_t* name) {
  char text[KNOT_DNAME_TXT_MAXLEN + 1];
  return knot_dname_to_str(text, name, sizeof text) ? text : "<bad name>";
}

std::vector<ResourceRecord> section_records(const knot_pkt_t* packet, knot_section_t section) {
  std::vector<ResourceRecord> records;
  const knot_pktsection_t* rrs = knot_pkt_section(packet, section);
  for (std::uint16_t i = 0; i < rrs->count; ++i) {
    const knot_rrset_t* rrset = knot_pkt_rr(rrs, i);
    if (rrset->type == KNOT_RRTYPE_OPT) continue;
    for (std::uint16_t j = 0; j < rrset->rrs.count; ++j) {
      char data[4096];
      if (knot_rrset_txt_dump_data(rrset, j, data, sizeof data, &KNOT_DUMP_STYLE_DEFAULT) < 0) data[0] = '\0';
      records.push_back({printed_name(rrset->owner), rrset->type, rrset->ttl, data});
    }
  }
  return records;
}

}  // namespace

std::vector<std::uint8_t> make_query(std::string_view name, std::uint16_t qtype, const QueryOptions& options) {
  Packet packet(knot_pkt_new(nullptr, KNOT_WIRE_MAX_PKTSIZE, nullptr));
  knot_wire_set_id(packet->wire, options.id);
  knot_wire_set_rd(packet->wire);
  knot_wire_set_opcode(packet->wire, options.opcode);
  knot_dname_storage_t qname;
  std::string text(name);
  if (!knot_dname_from_str(qname, text.c_str(), sizeof qname)) throw std::invalid_argument("bad test name " + text);
  knot_pkt_put_question(packet.get(), qname, options.qclass, qtype);
  if (options.edns) {
    knot_pkt_begin(packet.get(), KNOT_ADDITIONAL);
    knot_rrset_t opt;
    knot_edns_init(&opt, options.payload, 0, options.edns_version, nullptr);
    if (options.dnssec_ok) knot_edns_set_do(&opt);
    knot_pkt_put(packet.get(), KNOT_COMPR_HINT_NONE, &opt, 0);
    knot_rrset_clear(&opt, nullptr);
  }
  return {packet->wire, packet->wire + packet->size};
}

std::optional<Message> parse_message(std::span<const std::uint8_t> bytes) {
  std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
  Packet packet(knot_pkt_new(copy.data(), static_cast<std::uint16_t>(copy.size()), nullptr));
  if (!packet || knot_pkt_parse(packet.get(), KNOT_PF_NOCANON) != KNOT_EOK) return std::nullopt;
  Message message;
  const std::uint8_t* wire = packet->wire;
  message.id = knot_wire_get_id(wire);
  message.qr = knot_wire_get_qr(wire);
  message.aa = knot_wire_get_aa(wire);
  message.tc = knot_wire_get_tc(wire);
  message.ra = knot_wire_get_ra(wire);
  message.rd = knot_wire_get_rd(wire);
  message.qdcount = knot_wire_get_qdcount(wire);
  message.rcode = knot_pkt_ext_rcode(packet.get());
  if (message.qdcount == 1) {
    message.qname = printed_name(knot_pkt_wire_qname(packet.get()));
    message.qtype = knot_pkt_qtype(packet.get());
  }
  message.answer = section_records(packet.get(), KNOT_ANSWER);
  message.authority = section_records(packet.get(), KNOT_AUTHORITY);
  message.additional = section_records(packet.get(), KNOT_ADDITIONAL);
  if (packet->opt_rr) {
    message.edns = true;
    message.edns_payload = knot_edns_get_payload(packet->opt_rr);
    message.dnssec_ok = knot_edns_do(packet->opt_rr);
  }
  message.size = bytes.size();
  return message;
}

std::vector<std::string> Message::answers(std::uint16_t type) const {
  std::vector<std::string> data;
  for (const auto& record : answer) {
    if (record.type == type) data.push_back(record.data);
  }
  std::sort(data.begin(), data.end());
  return data;
}

}  // namespace skiff::dns::test
