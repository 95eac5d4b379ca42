// Which Services and endpoints the data plane gets: kube-proxy's rules, one case each.
#include <gtest/gtest.h>

#include "service_ports.hpp"

namespace {

using namespace skiff;
using namespace skiff::proxy;
namespace core = api::core::v1;

core::Service service(const std::string& type = "ClusterIP") {
  core::Service s;
  s.mutable_metadata()->set_namespace_("shop");
  s.mutable_metadata()->set_name("web");
  s.mutable_spec()->set_type(type);
  s.mutable_spec()->set_cluster_ip("10.96.0.10");
  s.mutable_spec()->add_cluster_ips("10.96.0.10");
  auto* port = s.mutable_spec()->add_ports();
  port->set_name("http");
  port->set_protocol("TCP");
  port->set_port(80);
  if (type != "ClusterIP") port->set_node_port(30080);
  return s;
}

SliceEndpoint endpoint(const std::string& ip, const std::string& node, bool ready = true, bool terminating = false,
                       bool serving = true) {
  return SliceEndpoint{ip, ready, serving, terminating, node};
}

SliceView slice(std::vector<SliceEndpoint> endpoints, int port = 8080, const std::string& name = "http") {
  SliceView view;
  view.ports.push_back({name, "TCP", port});
  view.endpoints = std::move(endpoints);
  return view;
}

Endpoint ep(const std::string& ip, std::uint16_t port = 8080) { return Endpoint{*sdk::parse_ipv4(ip), port}; }

const TranslationOptions kOnNodeA{"a", 10800};

TEST(ServicePorts, ClusterIpPortTakesTheReadyEndpointsOfItsNamedPort) {
  auto ports = service_ports(service(), {slice({endpoint("10.244.1.5", "a"), endpoint("10.244.2.5", "b", false)}),
                                         slice({endpoint("10.244.3.5", "c")}, 9090, "metrics")},
                             kOnNodeA);
  ASSERT_EQ(ports.size(), 1u);
  const auto& [key, port] = *ports.begin();
  EXPECT_EQ(key, "shop/web:http/TCP");
  EXPECT_EQ(port.protocol, Protocol::tcp);
  EXPECT_EQ(port.port, 80);
  EXPECT_EQ(port.cluster_ips, std::vector<std::uint32_t>{*sdk::parse_ipv4("10.96.0.10")});
  EXPECT_EQ(port.cluster_endpoints, std::vector<Endpoint>{ep("10.244.1.5")});
  EXPECT_EQ(port.node_port, 0);
  EXPECT_TRUE(port.external_endpoints.empty()) << "no NodePort, no external IPs: no external traffic";
}

TEST(ServicePorts, TerminatingEndpointsServeOnlyWhenNoneIsReady) {
  auto both = service_ports(service(), {slice({endpoint("10.244.1.5", "a"), endpoint("10.244.1.6", "a", false, true)})},
                            kOnNodeA);
  EXPECT_EQ(both.begin()->second.cluster_endpoints, std::vector<Endpoint>{ep("10.244.1.5")});
  auto only_terminating =
      service_ports(service(), {slice({endpoint("10.244.1.6", "a", false, true),
                                       endpoint("10.244.1.7", "a", false, true, /*serving=*/false)})},
                    kOnNodeA);
  EXPECT_EQ(only_terminating.begin()->second.cluster_endpoints, std::vector<Endpoint>{ep("10.244.1.6")})
      << "serving and terminating: used as the last resort; not serving: never";
}

TEST(ServicePorts, NoEndpointsIsAnEmptyListSoTheDataPlaneRefuses) {
  auto ports = service_ports(service("NodePort"), {}, kOnNodeA);
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_TRUE(ports.begin()->second.cluster_endpoints.empty());
  EXPECT_TRUE(ports.begin()->second.external_endpoints.empty());
  EXPECT_EQ(ports.begin()->second.node_port, 30080);
}

TEST(ServicePorts, ExternalTrafficPolicyLocalKeepsOnlyThisNodesEndpointsForExternalTraffic) {
  auto s = service("NodePort");
  s.mutable_spec()->set_external_traffic_policy("Local");
  auto ports = service_ports(s, {slice({endpoint("10.244.1.5", "a"), endpoint("10.244.2.5", "b")})}, kOnNodeA);
  const auto& port = ports.begin()->second;
  EXPECT_TRUE(port.external_local);
  EXPECT_EQ(port.external_endpoints, std::vector<Endpoint>{ep("10.244.1.5")});
  EXPECT_EQ(port.cluster_endpoints.size(), 2u) << "ClusterIP traffic still reaches every endpoint";
  s.mutable_spec()->set_type("ClusterIP");
  EXPECT_FALSE(service_ports(s, {}, kOnNodeA).begin()->second.external_local) << "Local means nothing without node ports";
}

TEST(ServicePorts, InternalTrafficPolicyLocalLimitsClusterTraffic) {
  auto s = service();
  s.mutable_spec()->set_internal_traffic_policy("Local");
  auto ports = service_ports(s, {slice({endpoint("10.244.2.5", "b")})}, kOnNodeA);
  EXPECT_TRUE(ports.begin()->second.cluster_endpoints.empty()) << "no local endpoint: refused, not sent to node b";
}

TEST(ServicePorts, LoadBalancerAndExternalIpsAreExternalAddresses) {
  auto s = service("LoadBalancer");
  s.mutable_spec()->add_external_ips("192.0.2.10");
  s.mutable_status()->mutable_load_balancer()->add_ingress()->set_ip("198.51.100.7");
  s.mutable_status()->mutable_load_balancer()->add_ingress()->set_hostname("lb.example");
  auto ports = service_ports(s, {slice({endpoint("10.244.1.5", "a")})}, kOnNodeA);
  const auto& port = ports.begin()->second;
  EXPECT_EQ(port.external_ips,
            (std::vector<std::uint32_t>{*sdk::parse_ipv4("192.0.2.10"), *sdk::parse_ipv4("198.51.100.7")}));
  EXPECT_EQ(port.external_endpoints, std::vector<Endpoint>{ep("10.244.1.5")});
}

// loadBalancerSourceRanges guard the LB IPs only (not spec.externalIPs), as kube-proxy's.
TEST(ServicePorts, SourceRangesGuardTheLoadBalancerIpsOnly) {
  auto s = service("LoadBalancer");
  s.mutable_spec()->add_external_ips("192.0.2.10");
  s.mutable_status()->mutable_load_balancer()->add_ingress()->set_ip("198.51.100.7");
  auto open = service_ports(s, {slice({endpoint("10.244.1.5", "a")})}, kOnNodeA).begin()->second;
  EXPECT_TRUE(open.source_ranges.empty()) << "no ranges: every source";
  EXPECT_TRUE(open.firewalled_ips.empty());

  s.mutable_spec()->add_load_balancer_source_ranges("10.213.11.1/32");
  s.mutable_spec()->add_load_balancer_source_ranges("172.16.5.9/16");  // host bits masked
  auto guarded = service_ports(s, {slice({endpoint("10.244.1.5", "a")})}, kOnNodeA).begin()->second;
  EXPECT_EQ(guarded.firewalled_ips, std::vector<std::uint32_t>{*sdk::parse_ipv4("198.51.100.7")});
  ASSERT_EQ(guarded.source_ranges.size(), 2u);
  EXPECT_EQ(guarded.source_ranges[0], *sdk::Ipv4Cidr::parse("10.213.11.1/32"));
  EXPECT_EQ(guarded.source_ranges[1], *sdk::Ipv4Cidr::parse("172.16.0.0/16"));
}

TEST(ServicePorts, TheSourceRangesAnnotationCountsWhenTheFieldIsEmpty) {
  auto s = service("LoadBalancer");
  s.mutable_status()->mutable_load_balancer()->add_ingress()->set_ip("198.51.100.7");
  (*s.mutable_metadata()->mutable_annotations())["service.beta.kubernetes.io/load-balancer-source-ranges"] =
      "10.0.0.0/8, 192.168.1.0/24";
  auto port = service_ports(s, {slice({endpoint("10.244.1.5", "a")})}, kOnNodeA).begin()->second;
  EXPECT_EQ(port.source_ranges.size(), 2u);
  EXPECT_EQ(port.firewalled_ips.size(), 1u);
  auto cluster_ip = service();
  cluster_ip.mutable_spec()->add_load_balancer_source_ranges("10.0.0.0/8");
  EXPECT_TRUE(service_ports(cluster_ip, {}, kOnNodeA).begin()->second.firewalled_ips.empty())
      << "only LoadBalancers have LB IPs to guard";
}

TEST(ServicePorts, HeadlessExternalNameAndUnknownProtocolsAreLeftAlone) {
  auto headless = service();
  headless.mutable_spec()->set_cluster_ip("None");
  headless.mutable_spec()->clear_cluster_ips();
  headless.mutable_spec()->add_cluster_ips("None");
  EXPECT_TRUE(service_ports(headless, {}, kOnNodeA).empty());
  auto external_name = service("ExternalName");
  EXPECT_TRUE(service_ports(external_name, {}, kOnNodeA).empty());
  auto odd = service();
  odd.mutable_spec()->mutable_ports(0)->set_protocol("DCCP");
  EXPECT_TRUE(service_ports(odd, {}, kOnNodeA).empty());
}

TEST(ServicePorts, SessionAffinityTimeoutDefaultsToThreeHours) {
  auto s = service();
  s.mutable_spec()->set_session_affinity("ClientIP");
  EXPECT_EQ(service_ports(s, {}, kOnNodeA).begin()->second.affinity_seconds, 10800u);
  s.mutable_spec()->mutable_session_affinity_config()->mutable_client_ip()->set_timeout_seconds(60);
  EXPECT_EQ(service_ports(s, {}, kOnNodeA).begin()->second.affinity_seconds, 60u);
  s.mutable_spec()->set_session_affinity("None");
  EXPECT_EQ(service_ports(s, {}, kOnNodeA).begin()->second.affinity_seconds, 0u);
}

TEST(ServicePorts, AnEndpointInTwoSlicesCountsOnce) {
  auto ports = service_ports(service(), {slice({endpoint("10.244.1.5", "a")}), slice({endpoint("10.244.1.5", "a")})},
                             kOnNodeA);
  EXPECT_EQ(ports.begin()->second.cluster_endpoints.size(), 1u);
}

TEST(ServicePorts, UdpPortsKeyByProtocol) {
  auto s = service();
  auto* dns = s.mutable_spec()->add_ports();
  dns->set_name("dns");
  dns->set_protocol("UDP");
  dns->set_port(53);
  SliceView view;
  view.ports = {{"dns", "UDP", 5353}};
  view.endpoints = {endpoint("10.244.1.5", "a")};
  auto ports = service_ports(s, {view}, kOnNodeA);
  ASSERT_TRUE(ports.contains("shop/web:dns/UDP"));
  EXPECT_EQ(ports.at("shop/web:dns/UDP").protocol, Protocol::udp);
  EXPECT_EQ(ports.at("shop/web:dns/UDP").cluster_endpoints, std::vector<Endpoint>{ep("10.244.1.5", 5353)});
}

}  // namespace
