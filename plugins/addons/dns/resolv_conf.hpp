// Upstream servers: from a resolv.conf-style file (the node's /etc/resolv.conf by default) or a
// configured list like "10.0.0.2", "127.0.0.1:5353", "[fd00::53]:53".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster_objects.hpp"

namespace skiff::dns {

struct UpstreamServer {
  IpAddress address;
  std::uint16_t port = 53;
  friend bool operator==(const UpstreamServer&, const UpstreamServer&) = default;
};

struct ResolvConf {
  std::vector<UpstreamServer> nameservers;
  std::vector<std::string> search;  // "domain" counts as a one-element search list
  unsigned ndots = 1;
};

// What resolv.conf(5) says, leniently as libc reads it: unknown lines and options are skipped.
ResolvConf parse_resolv_conf(std::string_view text);
// Reads and parses `path`; throws std::runtime_error naming the file when it cannot be read.
ResolvConf read_resolv_conf(const std::string& path);

// "10.0.0.2", "10.0.0.2:5353", "fd00::53", "[fd00::53]:5353"; nullopt when malformed.
std::optional<UpstreamServer> parse_upstream(std::string_view text);

}  // namespace skiff::dns
