// Built as Kubernetes' own kube-dns Service looks (labels, port names), minus the selector.
#include "kube_dns_objects.hpp"

namespace skiff::dns {

namespace core = api::core::v1;
namespace discovery = api::discovery::v1;

namespace {

struct DnsPort {
  const char* name;
  const char* protocol;
};
constexpr DnsPort kPorts[] = {{"dns", "UDP"}, {"dns-tcp", "TCP"}};

}  // namespace

core::Service kube_dns_service(const std::string& cluster_ip) {
  core::Service service;
  auto* meta = service.mutable_metadata();
  meta->set_name(kDnsServiceName);
  meta->set_namespace_(kDnsNamespace);
  (*meta->mutable_labels())["k8s-app"] = "kube-dns";
  (*meta->mutable_labels())["kubernetes.io/name"] = "SkiffDNS";
  (*meta->mutable_labels())["app.kubernetes.io/managed-by"] = kManagedBy;
  auto* spec = service.mutable_spec();
  spec->set_type("ClusterIP");
  spec->set_cluster_ip(cluster_ip);
  spec->add_cluster_ips(cluster_ip);
  for (const auto& p : kPorts) {
    auto* port = spec->add_ports();
    port->set_name(p.name);
    port->set_protocol(p.protocol);
    port->set_port(53);
    port->mutable_target_port()->set_int_val(53);
  }
  return service;
}

std::string node_internal_ip(const core::Node& node) {
  for (const auto& address : node.status().addresses())
    if (address.type() == "InternalIP") return address.address();
  for (const auto& address : node.status().addresses())
    if (address.type() != "Hostname") return address.address();
  return "";
}

discovery::EndpointSlice node_endpoint_slice(const core::Node& node, const std::string& node_address) {
  discovery::EndpointSlice slice;
  auto* meta = slice.mutable_metadata();
  meta->set_name(std::string(kDnsServiceName) + "-" + node.metadata().name());
  meta->set_namespace_(kDnsNamespace);
  (*meta->mutable_labels())["kubernetes.io/service-name"] = kDnsServiceName;
  (*meta->mutable_labels())["endpointslice.kubernetes.io/managed-by"] = kManagedBy;
  auto* owner = meta->add_owner_references();
  owner->set_api_version("v1");
  owner->set_kind("Node");
  owner->set_name(node.metadata().name());
  owner->set_uid(node.metadata().uid());
  slice.set_address_type("IPv4");
  auto* endpoint = slice.add_endpoints();
  endpoint->add_addresses(node_address);
  endpoint->mutable_conditions()->set_ready(true);
  endpoint->mutable_conditions()->set_serving(true);
  endpoint->mutable_conditions()->set_terminating(false);
  endpoint->set_node_name(node.metadata().name());
  for (const auto& p : kPorts) {
    auto* port = slice.add_ports();
    port->set_name(p.name);
    port->set_protocol(p.protocol);
    port->set_port(53);
  }
  return slice;
}

}  // namespace skiff::dns
