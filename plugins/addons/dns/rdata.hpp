// RDATA of the record types the zone serves, in wire format (names uncompressed; libknot
// compresses them when it writes a packet, where the type allows).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cluster_objects.hpp"
#include "dns_name.hpp"

namespace skiff::dns {

using Rdata = std::string;

struct SoaFields {
  WireName primary;       // MNAME
  WireName mailbox;       // RNAME
  std::uint32_t serial = 1;
  std::uint32_t refresh = 7200;
  std::uint32_t retry = 1800;
  std::uint32_t expire = 86400;
  std::uint32_t minimum = 5;  // the negative-caching TTL (RFC 2308)
};

Rdata address_rdata(const IpAddress& address);  // A (4 bytes) or AAAA (16)
std::uint16_t address_type(const IpAddress& address);
Rdata name_rdata(std::string_view target);  // CNAME, PTR, NS
Rdata srv_rdata(std::uint16_t priority, std::uint16_t weight, std::uint16_t port, std::string_view target);
Rdata soa_rdata(const SoaFields& soa);
Rdata txt_rdata(std::string_view text);  // one character-string, at most 255 bytes

// Reading back what these wrote (for SRV targets' additional records and tests).
std::string_view srv_target(std::string_view rdata);

}  // namespace skiff::dns
