// The kube-dns Service and a node's EndpointSlice for it, as the addon writes them to the API.
#include <gtest/gtest.h>

#include "kube_dns_objects.hpp"

namespace skiff::dns {
namespace {

namespace core = api::core::v1;

core::Node node(const std::string& name, std::vector<std::pair<std::string, std::string>> addresses) {
  core::Node n;
  n.mutable_metadata()->set_name(name);
  n.mutable_metadata()->set_uid("6d1f0c1e-node-uid");
  for (const auto& [type, address] : addresses) {
    auto* a = n.mutable_status()->add_addresses();
    a->set_type(type);
    a->set_address(address);
  }
  return n;
}

TEST(DnsKubeDnsObjects, ServiceIsKubeDnsInKubeSystemWithoutSelector) {
  auto service = kube_dns_service("10.96.0.10");
  EXPECT_EQ(service.metadata().namespace_(), "kube-system");
  EXPECT_EQ(service.metadata().name(), "kube-dns");
  EXPECT_EQ(service.metadata().labels().at("k8s-app"), "kube-dns");
  EXPECT_EQ(service.metadata().labels().at("app.kubernetes.io/managed-by"), "dns.skiff.io");
  EXPECT_EQ(service.spec().type(), "ClusterIP");
  EXPECT_EQ(service.spec().cluster_ip(), "10.96.0.10");
  ASSERT_EQ(service.spec().cluster_ips_size(), 1);
  EXPECT_EQ(service.spec().cluster_ips(0), "10.96.0.10");
  EXPECT_TRUE(service.spec().selector().empty()) << "its endpoints are nodes, written by each node's addon";
  ASSERT_EQ(service.spec().ports_size(), 2);
  EXPECT_EQ(service.spec().ports(0).name(), "dns");
  EXPECT_EQ(service.spec().ports(0).protocol(), "UDP");
  EXPECT_EQ(service.spec().ports(0).port(), 53);
  EXPECT_EQ(service.spec().ports(0).target_port().int_val(), 53);
  EXPECT_EQ(service.spec().ports(1).name(), "dns-tcp");
  EXPECT_EQ(service.spec().ports(1).protocol(), "TCP");
  EXPECT_EQ(service.spec().ports(1).port(), 53);
  EXPECT_EQ(service.spec().ports(1).target_port().int_val(), 53);
}

TEST(DnsKubeDnsObjects, NodeSliceIsOwnedByTheNodeAndReady) {
  auto slice = node_endpoint_slice(node("worker-1", {{"InternalIP", "192.168.5.11"}}), "192.168.5.11");
  EXPECT_EQ(slice.metadata().namespace_(), "kube-system");
  EXPECT_EQ(slice.metadata().name(), "kube-dns-worker-1");
  EXPECT_EQ(slice.metadata().labels().at("kubernetes.io/service-name"), "kube-dns") << "the proxy finds it by this";
  EXPECT_EQ(slice.metadata().labels().at("endpointslice.kubernetes.io/managed-by"), "dns.skiff.io")
      << "not the EndpointSlice controller's";
  ASSERT_EQ(slice.metadata().owner_references_size(), 1);
  const auto& owner = slice.metadata().owner_references(0);
  EXPECT_EQ(owner.api_version(), "v1");
  EXPECT_EQ(owner.kind(), "Node");
  EXPECT_EQ(owner.name(), "worker-1");
  EXPECT_EQ(owner.uid(), "6d1f0c1e-node-uid") << "the garbage collector matches owners by uid";
  EXPECT_EQ(slice.address_type(), "IPv4");
  ASSERT_EQ(slice.endpoints_size(), 1);
  const auto& endpoint = slice.endpoints(0);
  ASSERT_EQ(endpoint.addresses_size(), 1);
  EXPECT_EQ(endpoint.addresses(0), "192.168.5.11");
  EXPECT_TRUE(endpoint.conditions().has_ready() && endpoint.conditions().ready());
  EXPECT_TRUE(endpoint.conditions().serving());
  EXPECT_FALSE(endpoint.conditions().terminating());
  EXPECT_EQ(endpoint.node_name(), "worker-1");
  ASSERT_EQ(slice.ports_size(), 2);
  EXPECT_EQ(slice.ports(0).name(), "dns");
  EXPECT_EQ(slice.ports(0).protocol(), "UDP");
  EXPECT_EQ(slice.ports(0).port(), 53);
  EXPECT_EQ(slice.ports(1).name(), "dns-tcp") << "named as the Service's ports, so the proxy pairs them";
  EXPECT_EQ(slice.ports(1).protocol(), "TCP");
  EXPECT_EQ(slice.ports(1).port(), 53);
}

TEST(DnsKubeDnsObjects, NodeInternalIpIsPreferredThenAnyButTheHostname) {
  EXPECT_EQ(node_internal_ip(node("a", {{"Hostname", "a"}, {"ExternalIP", "203.0.113.4"}, {"InternalIP", "10.0.0.4"}})),
            "10.0.0.4");
  EXPECT_EQ(node_internal_ip(node("b", {{"Hostname", "b"}, {"ExternalIP", "203.0.113.5"}})), "203.0.113.5");
  EXPECT_EQ(node_internal_ip(node("c", {{"Hostname", "c"}})), "") << "a hostname is not an address";
  EXPECT_EQ(node_internal_ip(node("d", {})), "") << "not reported yet";
}

}  // namespace
}  // namespace skiff::dns
