// The network plugin refuses, at start and in one message, a pod range that would shadow the
// Services or a network the node is on — before it writes or routes anything.
#include <gtest/gtest.h>

#include "local_networks.hpp"
#include "plugin_node.hpp"

namespace {

using namespace skiff;

std::string refusal(const std::string& config) {
  test::NatsServer nats;
  test::PluginNode node(nats, "  - name: network\n    config: {" + config + "}\n", "net-node");
  try {
    node.start();
  } catch (const std::exception&) {
    return node.output();
  }
  ADD_FAILURE() << "the network plugin started with {" << config << "}";
  return "";
}

TEST(NetworkPlugin, APodRangeOverlappingTheServicesIsRefused) {
  std::string output = refusal("cluster_cidr: 10.96.0.0/16, service_cidr: 10.96.0.0/12");
  EXPECT_NE(output.find("config cluster_cidr 10.96.0.0/16 overlaps service_cidr 10.96.0.0/12"), std::string::npos)
      << output;
}

TEST(NetworkPlugin, APodRangeOverlappingTheNodesNetworkIsRefused) {
  auto networks = network::local_networks("");
  if (networks.empty()) GTEST_SKIP() << "this machine has no IPv4 network but loopback";
  const auto& [interface, lan] = networks.front();
  std::string output = refusal("cluster_cidr: " + lan.str());
  EXPECT_NE(output.find("overlaps " + lan.str() + ", the network of " + interface), std::string::npos) << output;
}

TEST(NetworkPlugin, ARangeThatIsNoCidrIsRefused) {
  std::string output = refusal("cluster_cidr: 10.244.0.0");
  EXPECT_NE(output.find("config cluster_cidr: '10.244.0.0' is not an IPv4 CIDR"), std::string::npos) << output;
}

}  // namespace
