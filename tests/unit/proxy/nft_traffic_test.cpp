// Real TCP and UDP through the programmed table: a client, the node itself and pods reach pods
// through ClusterIPs, NodePorts and external IPs; ports without endpoints refuse at once; an
// endpoint change, a second programmer adopting the table, hairpin and session affinity.
#include <gtest/gtest.h>

#include <cerrno>
#include <memory>
#include <set>

#include "nft_programmer.hpp"
#include "service_lab.hpp"
#include "test_ports.hpp"

namespace {

using namespace skiff;
using namespace skiff::test;
using proxy::Protocol;

std::unique_ptr<proxy::NftProgrammer> programmer_in(Netns& node, const proxy::TableOptions& options = lab_options()) {
  std::unique_ptr<proxy::NftProgrammer> programmer;
  node.run([&] { programmer = std::make_unique<proxy::NftProgrammer>(options); });
  return programmer;
}

const std::string kPodA = "pod-a";
const std::string kPodB = "pod-b";
const std::string kNodeSideOfPodA = "10.244.1.1";  // what pod-a sees of a masqueraded client

TEST(NftTraffic, ClusterIpCarriesTcpAndUdpToThePod) {
  ServiceLab lab;
  auto programmer = programmer_in(lab.node);
  proxy::ProxyState state;
  state.ports["default/web:http/TCP"] = cluster_port("10.96.0.10", 80, {endpoint_a()});
  state.ports["default/web:dns/UDP"] = cluster_port("10.96.0.10", 53, {endpoint_a()}, Protocol::udp);
  programmer->apply(state);

  for (Netns* from : {&lab.node, &lab.client, &lab.pod_b}) {
    Answer tcp = lab.tcp(*from, ip("10.96.0.10"), 80);
    EXPECT_EQ(tcp.name(), kPodA) << tcp.describe();
    Answer udp = lab.udp(*from, ip("10.96.0.10"), 53);
    EXPECT_EQ(udp.name(), kPodA) << udp.describe();
  }
  // From outside the cluster CIDR masqueraded (replies must come back through the node); a
  // pod keeps its own address.
  EXPECT_EQ(lab.tcp(lab.client, ip("10.96.0.10"), 80).peer(), kNodeSideOfPodA);
  EXPECT_EQ(lab.tcp(lab.pod_b, ip("10.96.0.10"), 80).peer(), "10.244.2.2");
}

// The refusal is the table's: something listens on the NodePort on the node, and without the
// reject a ClusterIP connection would time out (the lab routes the service range nowhere).
TEST(NftTraffic, PortsWithoutEndpointsAreRefusedAtOnce) {
  ServiceLab lab;
  EchoServer node_itself(lab.node, "node-itself", 30090);
  auto programmer = programmer_in(lab.node);
  proxy::ProxyState state;
  auto idle = node_port("10.96.0.11", 80, 30090, {});
  state.ports["default/idle:http/TCP"] = idle;
  state.ports["default/idle:dns/UDP"] = cluster_port("10.96.0.11", 53, {}, Protocol::udp);
  programmer->apply(state);

  for (Netns* from : {&lab.node, &lab.client, &lab.pod_a}) {
    SCOPED_TRACE(from == &lab.node ? "from the node" : from == &lab.client ? "from the client" : "from pod-a");
    EXPECT_EQ(lab.tcp(*from, ip("10.96.0.11"), 80).error, ECONNREFUSED);
    // The node's own datagram is refused in its output hook: send() itself fails (EPERM).
    EXPECT_EQ(lab.udp(*from, ip("10.96.0.11"), 53).error, from == &lab.node ? EPERM : ECONNREFUSED);
  }
  Answer node_port_answer = lab.tcp(lab.client, ServiceLab::kNode, 30090);
  EXPECT_EQ(node_port_answer.error, ECONNREFUSED) << node_port_answer.describe();
}

// An address in the service range that no Service has (the lab routes the range into a sink,
// where it would time out): refused from the node and from pods once service_cidr is set.
TEST(NftTraffic, AddressesNoServiceHasAreRefusedWhenTheServiceRangeIsKnown) {
  ServiceLab lab;
  auto options = lab_options();
  options.service_cidr = *sdk::Ipv4Cidr::parse("10.96.0.0/12");
  auto programmer = programmer_in(lab.node, options);
  proxy::ProxyState state;
  state.ports["default/web:http/TCP"] = cluster_port("10.96.0.10", 80, {endpoint_a()});
  programmer->apply(state);
  for (Netns* from : {&lab.node, &lab.pod_b}) {
    SCOPED_TRACE(from == &lab.node ? "from the node" : "from pod-b");
    EXPECT_EQ(lab.tcp(*from, ip("10.111.0.7"), 80).error, ECONNREFUSED);
    EXPECT_EQ(lab.tcp(*from, ip("10.96.0.10"), 81).error, ECONNREFUSED) << "a port the Service does not have";
    EXPECT_EQ(lab.tcp(*from, ip("10.96.0.10"), 80).name(), kPodA) << "what is served still is";
  }
}

TEST(NftTraffic, AnEndpointReplacedByADeltaAnswersAtOnce) {
  ServiceLab lab;
  auto programmer = programmer_in(lab.node);
  proxy::ProxyState state;
  state.ports["default/web:http/TCP"] = cluster_port("10.96.0.10", 80, {endpoint_a()});
  state.ports["default/web:dns/UDP"] = cluster_port("10.96.0.10", 53, {endpoint_a()}, Protocol::udp);
  programmer->apply(state);
  ASSERT_EQ(lab.tcp(lab.client, ip("10.96.0.10"), 80).name(), kPodA);

  state.ports["default/web:http/TCP"].cluster_endpoints = {endpoint_b()};
  state.ports["default/web:dns/UDP"].cluster_endpoints = {endpoint_b()};
  auto stats = programmer->apply(state);
  EXPECT_FALSE(stats.full);
  EXPECT_EQ(stats.ports_changed, 2u);
  EXPECT_EQ(lab.tcp(lab.client, ip("10.96.0.10"), 80).name(), kPodB);
  EXPECT_EQ(lab.udp(lab.client, ip("10.96.0.10"), 53).name(), kPodB);  // a new source port: no stale conntrack
}

// Which pods answer `connections` TCP connections from the client; the first failure instead.
std::set<std::string> answering(ServiceLab& lab, const char* service_ip, int connections) {
  std::set<std::string> names;
  for (int i = 0; i < connections; ++i) {
    Answer answer = lab.tcp(lab.client, ip(service_ip), 80);
    if (answer.error) return {answer.describe()};
    names.insert(answer.name());
  }
  return names;
}

// Scaling changes only the ranges of the port's block: 40 connections over two endpoints all
// alike happen with probability 2^-39.
TEST(NftTraffic, EndpointsAddedAndRemovedByDeltasAreUsed) {
  ServiceLab lab;
  auto programmer = programmer_in(lab.node);
  proxy::ProxyState state;
  state.ports["default/web:http/TCP"] = cluster_port("10.96.0.10", 80, {endpoint_a()});
  programmer->apply(state);
  EXPECT_EQ(answering(lab, "10.96.0.10", 10), (std::set<std::string>{kPodA}));
  state.ports["default/web:http/TCP"].cluster_endpoints.push_back(endpoint_b());
  EXPECT_FALSE(programmer->apply(state).full);
  EXPECT_EQ(answering(lab, "10.96.0.10", 40), (std::set<std::string>{kPodA, kPodB}));
  state.ports["default/web:http/TCP"].cluster_endpoints = {endpoint_b()};
  programmer->apply(state);
  EXPECT_EQ(answering(lab, "10.96.0.10", 10), (std::set<std::string>{kPodB}));
}

// A restarted proxy replaces the table in one transaction: an open connection keeps flowing
// (its NAT lives in conntrack) and new ones follow the new table.
TEST(NftTraffic, ASecondProgrammerAdoptsTheTableWithoutAGap) {
  ServiceLab lab;
  proxy::ProxyState state;
  state.ports["default/web:http/TCP"] = cluster_port("10.96.0.10", 80, {endpoint_a()});
  programmer_in(lab.node)->apply(state);

  std::unique_ptr<TcpSession> open;
  lab.client.run([&] { open = std::make_unique<TcpSession>(ip("10.96.0.10"), 80); });
  ASSERT_EQ(open->greeting().name(), kPodA);

  auto restarted = programmer_in(lab.node);
  state.ports["default/web:http/TCP"].cluster_endpoints = {endpoint_b()};
  auto stats = restarted->apply(state);
  EXPECT_TRUE(stats.full);
  EXPECT_EQ(open->echo("still there"), "still there");
  EXPECT_EQ(lab.tcp(lab.client, ip("10.96.0.10"), 80).name(), kPodB);
}

TEST(NftTraffic, NodePortsAndExternalIpsFollowTheTrafficPolicy) {
  ServiceLab lab;
  auto programmer = programmer_in(lab.node);
  proxy::ProxyState state;
  auto web = node_port("10.96.0.12", 80, 30080, {endpoint_a()});
  web.external_ips = {ip("203.0.113.10")};
  state.ports["default/web:http/TCP"] = web;
  auto dns = node_port("10.96.0.12", 53, 30053, {endpoint_a()});
  dns.protocol = Protocol::udp;
  state.ports["default/web:dns/UDP"] = dns;
  auto local = node_port("10.96.0.13", 80, 30081, {endpoint_a(), endpoint_b()});
  local.external_local = true;
  local.external_endpoints = {endpoint_a()};  // the endpoints on this node
  state.ports["default/local:http/TCP"] = local;
  auto elsewhere = node_port("10.96.0.14", 80, 30082, {endpoint_b()});
  elsewhere.external_local = true;
  elsewhere.external_endpoints = {};  // none on this node
  state.ports["default/elsewhere:http/TCP"] = elsewhere;
  programmer->apply(state);

  Answer node_port_answer = lab.tcp(lab.client, ServiceLab::kNode, 30080);
  EXPECT_EQ(node_port_answer.name(), kPodA) << node_port_answer.describe();
  EXPECT_EQ(node_port_answer.peer(), kNodeSideOfPodA) << "externalTrafficPolicy Cluster masquerades";
  EXPECT_EQ(lab.udp(lab.client, ServiceLab::kNode, 30053).name(), kPodA);
  EXPECT_EQ(lab.tcp(lab.client, ip("203.0.113.10"), 80).name(), kPodA);
  EXPECT_EQ(lab.tcp(lab.node, ip("127.0.0.1"), 30080).name(), kPodA) << "NodePort on localhost";

  Answer kept = lab.tcp(lab.client, ServiceLab::kNode, 30081);
  EXPECT_EQ(kept.name(), kPodA) << kept.describe();
  EXPECT_EQ(kept.peer(), "192.168.77.2") << "externalTrafficPolicy Local keeps the client's address";
  // No endpoint here: the node's own traffic still reaches one elsewhere, outside traffic is dropped.
  EXPECT_EQ(lab.tcp(lab.node, ip("127.0.0.1"), 30082).name(), kPodB);
  Answer dropped;
  lab.client.run([&] { dropped = ask_tcp(ServiceLab::kNode, 30082, std::chrono::seconds(1)); });
  EXPECT_EQ(dropped.error, ETIMEDOUT) << dropped.describe();
}

// loadBalancerSourceRanges on a LB IP: a client outside the ranges is dropped (times out), one
// inside is served; a delta changing the ranges takes effect; the other addresses stay open.
TEST(NftTraffic, SourceRangesLetOnlyTheirClientsReachTheLoadBalancerIp) {
  ServiceLab lab;
  auto programmer = programmer_in(lab.node);
  proxy::ProxyState state;
  auto web = node_port("10.96.0.16", 80, 30090, {endpoint_a()});
  web.external_ips = {ip("203.0.113.20")};
  web.firewalled_ips = {ip("203.0.113.20")};
  web.source_ranges = {*sdk::Ipv4Cidr::parse("10.9.0.0/16")};  // not the client
  state.ports["default/web:http/TCP"] = web;
  programmer->apply(state);
  Answer dropped;
  lab.client.run([&] { dropped = ask_tcp(ip("203.0.113.20"), 80, std::chrono::seconds(1)); });
  EXPECT_EQ(dropped.error, ETIMEDOUT) << dropped.describe();
  EXPECT_EQ(lab.tcp(lab.client, ServiceLab::kNode, 30090).name(), kPodA) << "the NodePort is not filtered";

  state.ports["default/web:http/TCP"].source_ranges = {*sdk::Ipv4Cidr::parse("10.9.0.0/16"),
                                                       *sdk::Ipv4Cidr::parse("192.168.77.2/32")};
  EXPECT_FALSE(programmer->apply(state).full);
  Answer allowed = lab.tcp(lab.client, ip("203.0.113.20"), 80);
  EXPECT_EQ(allowed.name(), kPodA) << allowed.describe();

  state.ports["default/web:http/TCP"].source_ranges.clear();
  state.ports["default/web:http/TCP"].firewalled_ips.clear();
  programmer->apply(state);
  EXPECT_EQ(lab.tcp(lab.client, ip("203.0.113.20"), 80).name(), kPodA) << "no ranges: every source";
}

TEST(NftTraffic, APodReachesItselfThroughItsServiceMasqueraded) {
  ServiceLab lab;
  auto programmer = programmer_in(lab.node);
  proxy::ProxyState state;
  state.ports["default/self:http/TCP"] = cluster_port("10.96.0.15", 80, {endpoint_a()});
  programmer->apply(state);
  Answer answer = lab.tcp(lab.pod_a, ip("10.96.0.15"), 80);
  EXPECT_EQ(answer.name(), kPodA) << answer.describe();
  EXPECT_EQ(answer.peer(), kNodeSideOfPodA);
}

TEST(NftTraffic, SessionAffinityPinsAClientToOneEndpoint) {
  ServiceLab lab;
  auto programmer = programmer_in(lab.node);
  proxy::ProxyState state;
  auto sticky = cluster_port("10.96.0.16", 80, {endpoint_a(), endpoint_b()});
  sticky.affinity_seconds = 600;
  state.ports["default/sticky:http/TCP"] = sticky;
  state.ports["default/spread:http/TCP"] = cluster_port("10.96.0.17", 80, {endpoint_a(), endpoint_b()});
  programmer->apply(state);
  // 40 random picks among two all alike: 2^-39 by chance.
  EXPECT_EQ(answering(lab, "10.96.0.16", 40).size(), 1u);
  EXPECT_EQ(answering(lab, "10.96.0.17", 40), (std::set<std::string>{kPodA, kPodB}));
}

}  // namespace
