// Two Services claiming one address . protocol . port (externalIPs, or LoadBalancer IPs, that
// another Service also lists, or that are another's ClusterIP): the programmer refuses a state
// with such a clash whole, so the translation settles it first — ClusterIPs win, then the
// port whose key sorts first — and says which address was dropped from which Service.
#pragma once

#include <string>
#include <vector>

#include "proxy_state.hpp"

namespace skiff::proxy {

struct DroppedAddress {
  std::string port_key;  // the loser
  std::string address;   // "203.0.113.7:80/TCP"
  std::string owner;     // the winner
  friend bool operator==(const DroppedAddress&, const DroppedAddress&) = default;
};

// The state without clashing external addresses (as `state` itself when nothing clashes, the
// common case: no copy), and what was dropped.
struct SettledState {
  const ProxyState* state = nullptr;
  ProxyState storage;  // used only when something was dropped
  std::vector<DroppedAddress> dropped;
};

void settle_address_clashes(const ProxyState& state, SettledState& out);

}  // namespace skiff::proxy
