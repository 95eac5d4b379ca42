// host-gw routing: which routes a node wants, and the changes from what it has.
#include <gtest/gtest.h>

#include "node_routes.hpp"

namespace {

using namespace skiff;
namespace core = api::core::v1;

network::NodePtr node(const std::string& name, const std::string& cidr, const std::string& ip) {
  auto n = std::make_shared<core::Node>();
  n->mutable_metadata()->set_name(name);
  n->mutable_spec()->set_pod_cidr(cidr);
  auto* hostname = n->mutable_status()->add_addresses();
  hostname->set_type("Hostname");
  hostname->set_address(name);
  if (!ip.empty()) {
    auto* internal = n->mutable_status()->add_addresses();
    internal->set_type("InternalIP");
    internal->set_address(ip);
  }
  return n;
}

std::uint32_t ip(const char* text) { return *sdk::parse_ipv4(text); }

TEST(NetworkRoutes, EveryOtherNodesSubnetViaItsInternalIp) {
  auto cluster = *sdk::Ipv4Cidr::parse("10.244.0.0/16");
  std::vector<network::NodePtr> nodes = {
      node("self", "10.244.0.0/24", "10.213.0.10"),  node("b", "10.244.1.0/24", "10.213.0.11"),
      node("no-cidr", "", "10.213.0.12"),            node("no-ip", "10.244.3.0/24", ""),
      node("outside", "192.168.5.0/24", "10.213.0.14"), node("c", "10.244.2.0/24", "10.213.0.13")};
  network::Routes routes = network::desired_routes(nodes, "self", cluster);
  EXPECT_EQ(routes, (network::Routes{{"10.244.1.0/24", ip("10.213.0.11")}, {"10.244.2.0/24", ip("10.213.0.13")}}));
}

TEST(NetworkRoutes, ChangesReplaceMissingOrMovedAndRemoveGone) {
  network::Routes current = {{"10.244.1.0/24", ip("10.213.0.11")},
                             {"10.244.2.0/24", ip("10.213.0.99")},
                             {"10.244.9.0/24", ip("10.213.0.19")}};
  network::Routes desired = {{"10.244.1.0/24", ip("10.213.0.11")},
                             {"10.244.2.0/24", ip("10.213.0.13")},
                             {"10.244.4.0/24", ip("10.213.0.14")}};
  auto changes = network::route_changes(current, desired);
  EXPECT_EQ(changes.replace, (network::Routes{{"10.244.2.0/24", ip("10.213.0.13")}, {"10.244.4.0/24", ip("10.213.0.14")}}));
  EXPECT_EQ(changes.remove, (std::vector<std::string>{"10.244.9.0/24"}));
  EXPECT_TRUE(network::route_changes(desired, desired).replace.empty());
}

}  // namespace
