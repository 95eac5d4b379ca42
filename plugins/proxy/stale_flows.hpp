// Which UDP conntrack entries a change makes stale. UDP has no end: a client sending from a
// fixed port keeps its old NAT binding (to an endpoint that is gone, or to a refusal) until
// the entry expires, so kube-proxy's users see DNS stall for seconds after a pod is replaced.
// The proxy deletes these entries in the same sync that changes the rules.
#pragma once

#include <cstdint>
#include <vector>

#include "proxy_state.hpp"

namespace skiff::proxy {

// UDP entries whose original destination is dst:port (dst 0: any address, as for NodePorts)
// and, when reply_src is set, whose reply comes from that endpoint (the DNAT target).
struct FlowFilter {
  std::uint32_t original_destination = 0;
  std::uint16_t original_port = 0;
  std::uint32_t reply_source = 0;
  friend auto operator<=>(const FlowFilter&, const FlowFilter&) = default;
};

// For every UDP service port: flows to an endpoint that left, and — for a port that had no
// endpoints and has some now — every flow to its addresses (those were refused).
std::vector<FlowFilter> stale_udp_flows(const ProxyState& before, const ProxyState& after);

}  // namespace skiff::proxy
