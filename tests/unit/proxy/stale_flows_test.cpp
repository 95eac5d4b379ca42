// Which UDP flows a change makes stale, and deleting them from a real conntrack table (in a
// network namespace of the test's own).
#include <gtest/gtest.h>

#include "command.hpp"
#include "conntrack_table.hpp"
#include "private_netns.hpp"
#include "stale_flows.hpp"

namespace {

using namespace skiff;
using namespace skiff::proxy;

std::uint32_t ip(const char* text) { return *sdk::parse_ipv4(text); }

ServicePort dns(std::vector<Endpoint> endpoints, std::uint16_t node_port = 0) {
  ServicePort port;
  port.protocol = Protocol::udp;
  port.port = 53;
  port.cluster_ips = {ip("10.96.0.10")};
  port.node_port = node_port;
  port.cluster_endpoints = endpoints;
  if (node_port) port.external_endpoints = endpoints;
  return port;
}

ProxyState state(ServicePort port) {
  ProxyState s;
  s.ports["kube-system/dns:dns/UDP"] = std::move(port);
  return s;
}

TEST(StaleFlows, AnEndpointThatLeftTakesItsFlowsWithIt) {
  auto before = state(dns({{ip("10.244.1.5"), 53}, {ip("10.244.2.5"), 53}}, 30053));
  auto after = state(dns({{ip("10.244.2.5"), 53}}, 30053));
  EXPECT_EQ(stale_udp_flows(before, after),
            (std::vector<FlowFilter>{{0, 30053, ip("10.244.1.5")}, {ip("10.96.0.10"), 53, ip("10.244.1.5")}}));
}

TEST(StaleFlows, APortThatGetsEndpointsAgainDropsEveryFlowToIt) {
  auto before = state(dns({}));
  auto after = state(dns({{ip("10.244.1.5"), 53}}));
  EXPECT_EQ(stale_udp_flows(before, after), (std::vector<FlowFilter>{{ip("10.96.0.10"), 53, 0}}));
}

TEST(StaleFlows, TcpAndUnchangedPortsAreLeftAlone) {
  auto udp = state(dns({{ip("10.244.1.5"), 53}}));
  EXPECT_TRUE(stale_udp_flows(udp, udp).empty());
  auto tcp_before = udp;
  tcp_before.ports.begin()->second.protocol = Protocol::tcp;
  auto tcp_after = tcp_before;
  tcp_after.ports.begin()->second.cluster_endpoints.clear();
  EXPECT_TRUE(stale_udp_flows(tcp_before, tcp_after).empty()) << "TCP ends its own flows";
}

TEST(StaleFlows, ARemovedServiceTakesItsFlows) {
  auto before = state(dns({{ip("10.244.1.5"), 53}}));
  EXPECT_EQ(stale_udp_flows(before, ProxyState{}), (std::vector<FlowFilter>{{ip("10.96.0.10"), 53, ip("10.244.1.5")}}));
}

void shell(const std::string& command) {
  auto result = test::run_command({"sh", "-c", command});
  ASSERT_EQ(result.exit_code, 0) << command << ": " << result.both();
}

// A DNATed UDP flow client:port → service → endpoint, as the kernel would record it.
std::string insert_flow(const std::string& client, int client_port, const std::string& service, int port,
                        const std::string& endpoint) {
  return "conntrack -I -p udp -s " + client + " -d " + service + " --sport " + std::to_string(client_port) +
         " --dport " + std::to_string(port) + " -r " + endpoint + " -q " + client + " --reply-port-src " +
         std::to_string(port) + " --reply-port-dst " + std::to_string(client_port) + " -t 120 -u SEEN_REPLY";
}

TEST(ConntrackTable, DeletesOnlyTheMatchingUdpEntries) {
  test::in_private_netns([] {
    shell(insert_flow("10.244.3.9", 5000, "10.96.0.10", 53, "10.244.1.5"));  // to the endpoint that left
    shell(insert_flow("10.244.3.9", 5001, "10.96.0.10", 53, "10.244.2.5"));  // to one that stays
    shell(insert_flow("10.244.3.9", 5002, "10.96.0.11", 53, "10.244.1.5"));  // another Service
    ConntrackTable table;
    EXPECT_EQ(table.remove_udp({{ip("10.96.0.10"), 53, ip("10.244.1.5")}}), 1u);
    auto left = test::run_command({"sh", "-c", "conntrack -L -p udp 2>/dev/null"}).out;
    EXPECT_EQ(left.find("sport=5000"), std::string::npos) << left;
    EXPECT_NE(left.find("sport=5001"), std::string::npos) << left;
    EXPECT_NE(left.find("sport=5002"), std::string::npos) << left;
    EXPECT_EQ(table.remove_udp({{0, 53, 0}}), 2u) << "any address, any endpoint";
    EXPECT_EQ(table.remove_udp({}), 0u);
  });
}

}  // namespace
