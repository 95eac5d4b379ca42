// Test-side DNS messages through libknot: queries to send, responses read back into plain
// values (owner names keep the case they were written in, record data as Knot prints it).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::dns::test {

struct QueryOptions {
  std::uint16_t id = 0x2a2a;
  bool edns = false;
  std::uint16_t payload = 1232;
  bool dnssec_ok = false;
  std::uint8_t edns_version = 0;
  std::uint8_t opcode = 0;
  std::uint16_t qclass = 1;
};

std::vector<std::uint8_t> make_query(std::string_view name, std::uint16_t qtype, const QueryOptions& options = {});

struct ResourceRecord {
  std::string owner;  // as written in the message: the case it was sent in
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::string data;   // "10.96.0.12", "0 100 80 web.shop.svc.cluster.local."
};

struct Message {
  std::uint16_t id = 0;
  std::uint16_t rcode = 0;  // extended with the OPT's upper bits
  bool qr = false, aa = false, tc = false, ra = false, rd = false;
  std::uint16_t qdcount = 0;
  std::string qname;        // as written
  std::uint16_t qtype = 0;
  std::vector<ResourceRecord> answer, authority, additional;  // additional without the OPT
  bool edns = false;
  std::uint16_t edns_payload = 0;
  bool dnssec_ok = false;
  std::size_t size = 0;

  // The data of the answer records of `type`, sorted.
  std::vector<std::string> answers(std::uint16_t type) const;
};

std::optional<Message> parse_message(std::span<const std::uint8_t> bytes);

}  // namespace skiff::dns::test
