// Routes in the kernel's main table through rtnetlink (libmnl, one socket): the host-gw
// routes to other nodes' pod subnets, marked with a routing protocol number of Skiff's own so
// they are found (and stale ones removed) after a restart, and nobody else's are touched.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "skiff/sdk/cidr.hpp"

struct mnl_socket;

namespace skiff::network {

// rtnetlink's protocol field for Skiff's routes (`ip route show proto 73`).
inline constexpr unsigned char kRouteProtocol = 73;

class RouteTable {
 public:
  RouteTable();  // throws Error naming what failed (no netlink: not root?)
  ~RouteTable();
  RouteTable(const RouteTable&) = delete;
  RouteTable& operator=(const RouteTable&) = delete;

  // `destination` via `gateway`, replacing a route to the same destination.
  void replace(const sdk::Ipv4Cidr& destination, std::uint32_t gateway);
  void remove(const sdk::Ipv4Cidr& destination);
  // Skiff's routes now in the main table: destination → gateway.
  std::map<std::string, std::uint32_t> ours();

 private:
  void send_and_ack(void* message);

  mnl_socket* socket_ = nullptr;
  unsigned port_id_ = 0;
  unsigned sequence_ = 0;
};

}  // namespace skiff::network
