// Parsed DNS messages: a query as libknot reads it, and what it says about the answer's size.
#pragma once

#include "knot.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "dns_name.hpp"

namespace skiff::dns {

struct PacketDeleter {
  void operator()(knot_pkt_t* packet) const { knot_pkt_free(packet); }
};
using PacketPtr = std::unique_ptr<knot_pkt_t, PacketDeleter>;

enum class Transport { Udp, Tcp };

// A query worth answering: one question, opcode QUERY, not a response.
struct Query {
  std::vector<std::uint8_t> bytes;  // a copy; moving a vector keeps its buffer where `packet` points
  PacketPtr packet;
  WireName qname;    // lowercase
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  bool edns = false;
  std::uint16_t edns_payload = 0;
  std::uint8_t edns_version = 0;
  bool dnssec_ok = false;

  // The most a response may hold: 512 without EDNS over UDP, the client's payload (at least
  // 512, at most `our_payload`) with it, 65535 over TCP.
  std::uint16_t response_limit(Transport transport, std::uint16_t our_payload) const;
};

// What to do with bytes that are not such a query.
struct Unanswerable {
  enum class Kind { Drop, FormatError, NotImplemented };
  Kind kind = Kind::Drop;
};

// Parses `bytes`; never reads outside them, whatever they hold.
std::variant<Query, Unanswerable> parse_query(std::span<const std::uint8_t> bytes);

// The error reply to bytes parse_query refused (FORMERR or NOTIMP): their header's ID, opcode
// and RD, and their question when it could be read. Empty for Drop.
std::string error_reply(std::span<const std::uint8_t> bytes, Unanswerable::Kind kind);

}  // namespace skiff::dns
