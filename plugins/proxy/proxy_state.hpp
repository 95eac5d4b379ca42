// What the data plane must do, with the API's policies already applied: the value the
// Service translation produces and the nftables programmer applies (as deltas) to the kernel.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "skiff/sdk/cidr.hpp"

namespace skiff::proxy {

enum class Protocol : std::uint8_t { tcp = 6, udp = 17, sctp = 132 };

struct Endpoint {
  std::uint32_t ip = 0;  // host byte order
  std::uint16_t port = 0;
  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
};

// One port of one Service (Kubernetes' ServicePortName), the unit the data plane programs.
// Empty endpoint lists mean "refuse at once" (TCP reset / ICMP port unreachable); the
// translation has already chosen ready over terminating endpoints and applied the traffic
// policies, so the programmer never looks at the API.
struct ServicePort {
  Protocol protocol = Protocol::tcp;
  std::uint16_t port = 0;                       // on cluster IPs, external IPs and LB IPs
  std::vector<std::uint32_t> cluster_ips;       // spec.clusterIPs (IPv4)
  std::uint16_t node_port = 0;                  // 0: none; else on every local address
  std::vector<std::uint32_t> external_ips;      // spec.externalIPs and status.loadBalancer IPs
  std::vector<Endpoint> cluster_endpoints;      // for ClusterIP traffic (internalTrafficPolicy applied)
  std::vector<Endpoint> external_endpoints;     // for NodePort/external/LB traffic (externalTrafficPolicy applied)
  bool external_local = false;                  // externalTrafficPolicy Local: no SNAT, keep the client's IP
  std::uint32_t affinity_seconds = 0;           // sessionAffinity ClientIP timeout; 0: none
  // loadBalancerSourceRanges: traffic to `firewalled_ips` (the LoadBalancer IPs among the
  // external ones) from a source outside every range is dropped. Empty ranges: no filter.
  std::vector<std::uint32_t> firewalled_ips;
  std::vector<sdk::Ipv4Cidr> source_ranges;
  friend bool operator==(const ServicePort&, const ServicePort&) = default;
};

struct ProxyState {
  // By a stable key, "namespace/name:portname/protocol"; the programmer names chains after it.
  std::map<std::string, ServicePort> ports;
  friend bool operator==(const ProxyState&, const ProxyState&) = default;
};

// Fixed for the life of a programmer.
struct TableOptions {
  std::string table = "skiff-proxy";            // an `ip` family table the proxy owns alone
  std::optional<sdk::Ipv4Cidr> cluster_cidr;    // ClusterIP traffic from outside it is masqueraded
  std::uint32_t masquerade_mark = 0x4000;       // packet mark bit meaning "masquerade me"
  // Packets still addressed into it after DNAT went to no Service: refused on the node.
  std::optional<sdk::Ipv4Cidr> service_cidr;
};

}  // namespace skiff::proxy
