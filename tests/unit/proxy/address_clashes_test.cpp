// Clashing external addresses are settled before the programmer sees them.
#include <gtest/gtest.h>

#include "address_clashes.hpp"

namespace {

using namespace skiff;
using namespace skiff::proxy;

std::uint32_t ip(const char* text) { return *sdk::parse_ipv4(text); }

ServicePort port(const char* cluster_ip, std::vector<std::uint32_t> external) {
  ServicePort p;
  p.port = 80;
  p.cluster_ips = {ip(cluster_ip)};
  p.external_ips = std::move(external);
  return p;
}

TEST(AddressClashes, NothingClashingIsPassedThroughWithoutACopy) {
  ProxyState state;
  state.ports["a/web:http/TCP"] = port("10.96.0.10", {ip("203.0.113.7")});
  state.ports["b/web:http/TCP"] = port("10.96.0.11", {ip("203.0.113.8")});
  SettledState settled;
  settle_address_clashes(state, settled);
  EXPECT_EQ(settled.state, &state);
  EXPECT_TRUE(settled.dropped.empty());
}

TEST(AddressClashes, TheFirstPortKeepsASharedExternalIpAndClusterIpsAlwaysWin) {
  ProxyState state;
  state.ports["a/web:http/TCP"] = port("10.96.0.10", {ip("203.0.113.7")});
  state.ports["b/web:http/TCP"] = port("10.96.0.11", {ip("203.0.113.7"), ip("10.96.0.10"), ip("203.0.113.9")});
  SettledState settled;
  settle_address_clashes(state, settled);
  ASSERT_NE(settled.state, &state);
  EXPECT_EQ(settled.state->ports.at("a/web:http/TCP").external_ips, std::vector<std::uint32_t>{ip("203.0.113.7")});
  EXPECT_EQ(settled.state->ports.at("b/web:http/TCP").external_ips, std::vector<std::uint32_t>{ip("203.0.113.9")});
  EXPECT_EQ(settled.dropped, (std::vector<DroppedAddress>{{"b/web:http/TCP", "203.0.113.7:80/TCP", "a/web:http/TCP"},
                                                          {"b/web:http/TCP", "10.96.0.10:80/TCP", "a/web:http/TCP"}}));
  EXPECT_EQ(state.ports.at("b/web:http/TCP").external_ips.size(), 3u) << "the desired state itself is untouched";
}

}  // namespace
