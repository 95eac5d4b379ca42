// Services, EndpointSlices and Pods as the informers hand them over, turned into the zone's values.
#include <gtest/gtest.h>

#include <map>

#include "object_adapter.hpp"

namespace skiff::dns {
namespace {

namespace core = api::core::v1;
namespace discovery = api::discovery::v1;
using SlicePtr = std::shared_ptr<const discovery::EndpointSlice>;

IpAddress ip(const std::string& text) { return boost::asio::ip::make_address(text); }

core::Service service(const std::string& name, const std::string& cluster_ip) {
  core::Service s;
  s.mutable_metadata()->set_namespace_("shop");
  s.mutable_metadata()->set_name(name);
  s.mutable_spec()->set_cluster_ip(cluster_ip);
  return s;
}

void add_port(core::Service& s, const std::string& name, const std::string& protocol, int port) {
  auto* p = s.mutable_spec()->add_ports();
  p->set_name(name);
  p->set_protocol(protocol);
  p->set_port(port);
}

discovery::EndpointSlice slice(const std::string& name, const std::string& address_type = "IPv4") {
  discovery::EndpointSlice s;
  s.mutable_metadata()->set_namespace_("shop");
  s.mutable_metadata()->set_name(name);
  s.set_address_type(address_type);
  return s;
}

discovery::Endpoint& add_endpoint(discovery::EndpointSlice& s, std::vector<std::string> addresses) {
  auto* e = s.add_endpoints();
  for (const auto& a : addresses) e->add_addresses(a);
  return *e;
}

core::Pod pod(const std::string& ns, const std::string& name) {
  core::Pod p;
  p.mutable_metadata()->set_namespace_(ns);
  p.mutable_metadata()->set_name(name);
  return p;
}

// Pods the lookup knows, by "namespace/name"; every lookup is recorded.
struct PodDirectory {
  std::map<std::string, std::shared_ptr<const core::Pod>> pods;
  std::vector<std::string> asked;

  PodLookup lookup() {
    return [this](const std::string& ns, const std::string& name) -> std::shared_ptr<const core::Pod> {
      asked.push_back(ns + "/" + name);
      auto found = pods.find(ns + "/" + name);
      return found == pods.end() ? nullptr : found->second;
    };
  }
};

TEST(DnsObjectAdapter, ClusterIpServiceTakesEveryClusterIpAndItsPorts) {
  auto s = service("web", "10.96.0.12");
  s.mutable_spec()->add_cluster_ips("10.96.0.12");
  s.mutable_spec()->add_cluster_ips("fd00:96::12");
  s.mutable_spec()->set_type("NodePort");
  add_port(s, "http", "TCP", 80);
  add_port(s, "", "TCP", 8080);
  add_port(s, "dns", "UDP", 53);
  add_port(s, "assoc", "SCTP", 9899);
  auto stray = std::make_shared<discovery::EndpointSlice>(slice("web-abc"));
  add_endpoint(*stray, {"10.244.1.5"});

  Service out = to_dns_service(s, {stray}, {});
  EXPECT_EQ(out.namespace_, "shop");
  EXPECT_EQ(out.name, "web");
  EXPECT_EQ(out.type, ServiceType::NodePort);
  EXPECT_FALSE(out.headless);
  EXPECT_EQ(out.cluster_ips, (std::vector<IpAddress>{ip("10.96.0.12"), ip("fd00:96::12")}));
  ASSERT_EQ(out.ports.size(), 4u);
  EXPECT_EQ(out.ports[0].name, "http");
  EXPECT_EQ(out.ports[0].protocol, PortProtocol::TCP);
  EXPECT_EQ(out.ports[0].port, 80);
  EXPECT_EQ(out.ports[1].name, "") << "unnamed: kept, the zone gives it no SRV";
  EXPECT_EQ(out.ports[1].port, 8080);
  EXPECT_EQ(out.ports[2].protocol, PortProtocol::UDP);
  EXPECT_EQ(out.ports[3].protocol, PortProtocol::SCTP);
  EXPECT_TRUE(out.endpoints.empty()) << "a ClusterIP Service answers with its address, not its endpoints";
}

TEST(DnsObjectAdapter, ClusterIpAloneIsUsedWhenClusterIpsIsEmpty) {
  auto s = service("old", "10.96.0.30");
  s.mutable_spec()->set_type("LoadBalancer");
  Service out = to_dns_service(s, {}, {});
  EXPECT_EQ(out.type, ServiceType::LoadBalancer);
  EXPECT_EQ(out.cluster_ips, std::vector<IpAddress>{ip("10.96.0.30")});
  EXPECT_TRUE(to_dns_service(service("pending", ""), {}, {}).cluster_ips.empty()) << "no address yet";
}

TEST(DnsObjectAdapter, HeadlessServiceTakesItsSlicesEndpointsReadyOrNot) {
  auto s = service("db", "None");
  s.mutable_spec()->add_cluster_ips("None");
  s.mutable_spec()->set_publish_not_ready_addresses(true);
  add_port(s, "pg", "TCP", 5432);
  auto first = std::make_shared<discovery::EndpointSlice>(slice("db-1"));
  auto& ready = add_endpoint(*first, {"10.244.1.5"});
  ready.mutable_conditions()->set_ready(true);
  ready.set_hostname("db-0");
  ready.set_node_name("node-a");
  add_endpoint(*first, {"10.244.1.6", "not-an-address"}).mutable_conditions()->set_ready(false);
  add_endpoint(*first, {"10.244.1.7"});  // readiness unknown: ready, as Kubernetes reads it
  auto* port = first->add_ports();
  port->set_name("pg");
  port->set_protocol("TCP");
  port->set_port(15432);
  first->add_ports()->set_name("no-number");  // a port without a number says nothing
  auto second = std::make_shared<discovery::EndpointSlice>(slice("db-2", "IPv6"));
  add_endpoint(*second, {"fd00:244::9"});
  auto* other_port = second->add_ports();
  other_port->set_name("other");
  other_port->set_port(1);
  auto fqdn = std::make_shared<discovery::EndpointSlice>(slice("db-3", "FQDN"));
  add_endpoint(*fqdn, {"db.example.com"});

  Service out = to_dns_service(s, {first, second, fqdn}, {});
  EXPECT_TRUE(out.headless);
  EXPECT_TRUE(out.publish_not_ready_addresses);
  EXPECT_TRUE(out.cluster_ips.empty());
  ASSERT_EQ(out.endpoints.size(), 4u) << "the unparsable address and the FQDN slice are skipped";
  EXPECT_EQ(out.endpoints[0].address, ip("10.244.1.5"));
  EXPECT_TRUE(out.endpoints[0].ready);
  EXPECT_EQ(out.endpoints[0].hostname, "db-0");
  EXPECT_EQ(out.endpoints[0].node_name, "node-a");
  EXPECT_EQ(out.endpoints[1].address, ip("10.244.1.6"));
  EXPECT_FALSE(out.endpoints[1].ready);
  EXPECT_EQ(out.endpoints[2].address, ip("10.244.1.7"));
  EXPECT_TRUE(out.endpoints[2].ready);
  EXPECT_EQ(out.endpoints[3].address, ip("fd00:244::9"));
  ASSERT_EQ(out.endpoint_ports.size(), 1u) << "the first slice's ports; every slice of a Service has the same";
  EXPECT_EQ(out.endpoint_ports[0].name, "pg");
  EXPECT_EQ(out.endpoint_ports[0].port, 15432);
  ASSERT_EQ(out.ports.size(), 1u);
  EXPECT_EQ(out.ports[0].port, 5432);
}

TEST(DnsObjectAdapter, EndpointsPodsGiveTheirHostnameAndSubdomain) {
  auto s = service("db", "None");
  auto one = std::make_shared<discovery::EndpointSlice>(slice("db-1"));
  auto& same_namespace = add_endpoint(*one, {"10.244.1.5"});
  same_namespace.mutable_target_ref()->set_kind("Pod");
  same_namespace.mutable_target_ref()->set_name("db-0");
  auto& named_namespace = add_endpoint(*one, {"10.244.1.6"});
  named_namespace.mutable_target_ref()->set_kind("Pod");
  named_namespace.mutable_target_ref()->set_namespace_("shop");
  named_namespace.mutable_target_ref()->set_name("db-1");
  auto& unknown = add_endpoint(*one, {"10.244.1.7"});
  unknown.mutable_target_ref()->set_kind("Pod");
  unknown.mutable_target_ref()->set_name("gone");
  auto& not_a_pod = add_endpoint(*one, {"10.244.1.8"});
  not_a_pod.mutable_target_ref()->set_kind("Node");
  not_a_pod.mutable_target_ref()->set_name("node-a");

  PodDirectory directory;
  auto db0 = pod("shop", "db-0");
  db0.mutable_spec()->set_hostname("primary");
  db0.mutable_spec()->set_subdomain("db");
  directory.pods["shop/db-0"] = std::make_shared<core::Pod>(db0);
  auto db1 = pod("shop", "db-1");
  db1.mutable_spec()->set_hostname("replica");
  directory.pods["shop/db-1"] = std::make_shared<core::Pod>(db1);

  Service out = to_dns_service(s, {one}, directory.lookup());
  ASSERT_EQ(out.endpoints.size(), 4u);
  EXPECT_EQ(out.endpoints[0].pod_hostname, "primary");
  EXPECT_EQ(out.endpoints[0].pod_subdomain, "db");
  EXPECT_EQ(out.endpoints[1].pod_hostname, "replica");
  EXPECT_EQ(out.endpoints[1].pod_subdomain, "");
  EXPECT_EQ(out.endpoints[2].pod_hostname, "") << "a pod not (yet) known";
  EXPECT_EQ(out.endpoints[3].pod_hostname, "");
  EXPECT_EQ(directory.asked, (std::vector<std::string>{"shop/db-0", "shop/db-1", "shop/gone"}))
      << "the slice's namespace when the reference names none; only Pods are looked up";
}

TEST(DnsObjectAdapter, ExternalNameServiceIsItsTargetOnly) {
  auto s = service("search", "");
  s.mutable_spec()->set_type("ExternalName");
  s.mutable_spec()->set_external_name("search.example.com");
  s.mutable_spec()->add_cluster_ips("10.96.0.40");  // stale; not an address of an ExternalName Service
  auto stray = std::make_shared<discovery::EndpointSlice>(slice("search-1"));
  add_endpoint(*stray, {"10.244.1.5"});
  Service out = to_dns_service(s, {stray}, {});
  EXPECT_EQ(out.type, ServiceType::ExternalName);
  EXPECT_EQ(out.external_name, "search.example.com");
  EXPECT_TRUE(out.cluster_ips.empty());
  EXPECT_TRUE(out.endpoints.empty());
}

TEST(DnsObjectAdapter, PodTakesItsPodIpsOrElseItsPodIp) {
  auto p = pod("shop", "web-1");
  p.mutable_status()->set_phase("Running");
  p.mutable_status()->set_pod_ip("10.244.1.5");
  p.mutable_status()->add_pod_ips()->set_ip("10.244.1.5");
  p.mutable_status()->add_pod_ips()->set_ip("fd00:244::5");
  auto out = to_dns_pod(p);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->namespace_, "shop");
  EXPECT_EQ(out->name, "web-1");
  EXPECT_EQ(out->ips, (std::vector<IpAddress>{ip("10.244.1.5"), ip("fd00:244::5")}));
  EXPECT_FALSE(out->host_network);
  EXPECT_TRUE(out->standard_search_path);

  p.mutable_status()->clear_pod_ips();
  ASSERT_TRUE(to_dns_pod(p));
  EXPECT_EQ(to_dns_pod(p)->ips, std::vector<IpAddress>{ip("10.244.1.5")}) << "podIP alone, as older writers set it";
}

TEST(DnsObjectAdapter, PodWithoutAnAddressOrFinishedIsNotInTheZone) {
  auto p = pod("shop", "web-1");
  p.mutable_status()->set_phase("Pending");
  EXPECT_FALSE(to_dns_pod(p)) << "no address yet";
  p.mutable_status()->set_pod_ip("garbage");
  EXPECT_FALSE(to_dns_pod(p)) << "an address that does not parse";
  p.mutable_status()->set_pod_ip("10.244.1.5");
  EXPECT_TRUE(to_dns_pod(p));
  for (const char* phase : {"Succeeded", "Failed"}) {
    p.mutable_status()->set_phase(phase);
    EXPECT_FALSE(to_dns_pod(p)) << phase << ": its address may be another pod's by now";
  }
}

TEST(DnsObjectAdapter, HostNetworkPodIsMarked) {
  auto p = pod("kube-system", "agent");
  p.mutable_spec()->set_host_network(true);
  p.mutable_spec()->set_dns_policy("ClusterFirstWithHostNet");
  p.mutable_status()->set_pod_ip("192.168.1.10");
  auto out = to_dns_pod(p);
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->host_network);
  EXPECT_TRUE(out->standard_search_path);
}

TEST(DnsObjectAdapter, OnlyClusterFirstWithoutOwnSearchesHasTheStandardSearchPath) {
  core::PodSpec spec;
  EXPECT_TRUE(has_standard_search_path(spec)) << "no policy: ClusterFirst, the default";
  for (const char* policy : {"ClusterFirst", "ClusterFirstWithHostNet"}) {
    spec.set_dns_policy(policy);
    EXPECT_TRUE(has_standard_search_path(spec)) << policy;
  }
  for (const char* policy : {"Default", "None"}) {
    spec.set_dns_policy(policy);
    EXPECT_FALSE(has_standard_search_path(spec)) << policy;
  }
  spec.set_dns_policy("ClusterFirst");
  spec.mutable_dns_config()->add_nameservers("1.1.1.1");
  EXPECT_TRUE(has_standard_search_path(spec)) << "nameservers and options leave the search list alone";
  spec.mutable_dns_config()->add_searches("corp.example");
  EXPECT_FALSE(has_standard_search_path(spec)) << "searches of its own";

  auto p = pod("shop", "custom");
  *p.mutable_spec() = spec;
  p.mutable_status()->set_pod_ip("10.244.1.9");
  EXPECT_FALSE(to_dns_pod(p)->standard_search_path);
}

}  // namespace
}  // namespace skiff::dns
