// Routes in the kernel's main table through rtnetlink (libmnl, one socket), marked with a
// routing protocol number of their owner's so they are found (and stale ones removed) after a
// restart, and nobody else's are touched: the network plugin's host-gw routes to other nodes'
// pod subnets and its reject route for the service CIDR; the proxy's route that lets the node
// itself reach ClusterIPs.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "skiff/sdk/cidr.hpp"

struct mnl_socket;

namespace skiff::network {

// rtnetlink's protocol field for the network plugin's routes (`ip route show proto 73`).
inline constexpr unsigned char kRouteProtocol = 73;
// ... and for the proxy's (`ip route show proto 74`).
inline constexpr unsigned char kProxyRouteProtocol = 74;

// The service CIDR on every node: the network plugin's `unreachable` route (so a ClusterIP
// nothing serves is refused on the node, never sent to the default gateway), under the
// proxy's route through `lo` (so the node's own connections reach the nftables DNAT).
inline constexpr std::uint32_t kServiceRejectMetric = 4096;
inline constexpr std::uint32_t kServiceProxyMetric = 64;

class RouteTable {
 public:
  // Throws Error naming what failed (no netlink: not root?).
  explicit RouteTable(unsigned char protocol = kRouteProtocol);
  ~RouteTable();
  RouteTable(const RouteTable&) = delete;
  RouteTable& operator=(const RouteTable&) = delete;

  // `destination` via `gateway`, replacing a route to the same destination.
  void replace(const sdk::Ipv4Cidr& destination, std::uint32_t gateway);
  void remove(const sdk::Ipv4Cidr& destination);
  // `unreachable destination metric M`: what has no better route is refused at once
  // (EHOSTUNREACH, ICMP host unreachable) instead of following the default route.
  void replace_unreachable(const sdk::Ipv4Cidr& destination, std::uint32_t metric);
  // `destination dev DEVICE metric M` (the kernel picks a global source address).
  void replace_on_device(const sdk::Ipv4Cidr& destination, const std::string& device, std::uint32_t metric);
  // Removes one of the two above; absent is fine.
  void remove_with_metric(const sdk::Ipv4Cidr& destination, std::uint32_t metric);
  // This owner's routes via a gateway now in the main table: destination → gateway.
  std::map<std::string, std::uint32_t> ours();

 private:
  void send_and_ack(void* message);
  void send_or_throw(void* message, const std::string& what);

  unsigned char protocol_;
  mnl_socket* socket_ = nullptr;
  unsigned port_id_ = 0;
  unsigned sequence_ = 0;
};

}  // namespace skiff::network
