// Kubernetes objects → zone values, field by field as the DNS specification reads them.
#include "object_adapter.hpp"

namespace skiff::dns {

namespace core = api::core::v1;
namespace discovery = api::discovery::v1;

namespace {

std::optional<IpAddress> parse_ip(const std::string& text) {
  boost::system::error_code error;
  auto address = boost::asio::ip::make_address(text, error);
  if (error) return std::nullopt;
  return address;
}

ServiceType service_type(const std::string& type) {
  if (type == "NodePort") return ServiceType::NodePort;
  if (type == "LoadBalancer") return ServiceType::LoadBalancer;
  if (type == "ExternalName") return ServiceType::ExternalName;
  return ServiceType::ClusterIP;
}

PortProtocol port_protocol(const std::string& protocol) {
  if (protocol == "UDP") return PortProtocol::UDP;
  if (protocol == "SCTP") return PortProtocol::SCTP;
  return PortProtocol::TCP;
}

// A ready endpoint is one the slice says is ready; unknown (nil) counts as ready, as in Kubernetes.
bool is_ready(const discovery::Endpoint& endpoint) {
  return !endpoint.conditions().has_ready() || endpoint.conditions().ready();
}

void add_endpoints(const discovery::EndpointSlice& slice, const PodLookup& pod, Service& out) {
  if (slice.address_type() == "FQDN") return;
  for (const auto& endpoint : slice.endpoints()) {
    ServiceEndpoint base;
    base.ready = is_ready(endpoint);
    base.hostname = endpoint.hostname();
    base.node_name = endpoint.node_name();
    const auto& ref = endpoint.target_ref();
    if (ref.kind() == "Pod" && pod) {
      if (auto found = pod(ref.namespace_().empty() ? slice.metadata().namespace_() : ref.namespace_(), ref.name())) {
        base.pod_hostname = found->spec().hostname();
        base.pod_subdomain = found->spec().subdomain();
      }
    }
    for (const auto& text : endpoint.addresses()) {
      if (auto address = parse_ip(text)) {
        ServiceEndpoint one = base;
        one.address = *address;
        out.endpoints.push_back(std::move(one));
      }
    }
  }
  if (!out.endpoint_ports.empty()) return;  // slices of one Service carry the same ports
  for (const auto& port : slice.ports())
    if (port.has_port())
      out.endpoint_ports.push_back({port.name(), port_protocol(port.protocol()), static_cast<std::uint16_t>(port.port())});
}

}  // namespace

Service to_dns_service(const core::Service& service, const std::vector<std::shared_ptr<const discovery::EndpointSlice>>& slices,
                       const PodLookup& pod) {
  Service out;
  out.namespace_ = service.metadata().namespace_();
  out.name = service.metadata().name();
  const auto& spec = service.spec();
  out.type = service_type(spec.type());
  out.external_name = spec.external_name();
  out.publish_not_ready_addresses = spec.publish_not_ready_addresses();
  out.headless = spec.cluster_ip() == "None";
  for (const auto& port : spec.ports())
    out.ports.push_back({port.name(), port_protocol(port.protocol()), static_cast<std::uint16_t>(port.port())});
  if (out.type == ServiceType::ExternalName) return out;
  if (!out.headless) {
    std::vector<std::string> ips(spec.cluster_ips().begin(), spec.cluster_ips().end());
    if (ips.empty() && !spec.cluster_ip().empty()) ips.push_back(spec.cluster_ip());
    for (const auto& text : ips)
      if (auto address = parse_ip(text)) out.cluster_ips.push_back(*address);
    return out;
  }
  for (const auto& slice : slices) add_endpoints(*slice, pod, out);
  return out;
}

bool has_standard_search_path(const core::PodSpec& spec) {
  const std::string& policy = spec.dns_policy();
  bool cluster_first = policy.empty() || policy == "ClusterFirst" || policy == "ClusterFirstWithHostNet";
  return cluster_first && spec.dns_config().searches().empty();
}

std::optional<Pod> to_dns_pod(const core::Pod& pod) {
  // A finished pod's address may already be another's.
  const std::string& phase = pod.status().phase();
  if (phase == "Succeeded" || phase == "Failed") return std::nullopt;
  Pod out;
  out.namespace_ = pod.metadata().namespace_();
  out.name = pod.metadata().name();
  out.host_network = pod.spec().host_network();
  out.standard_search_path = has_standard_search_path(pod.spec());
  for (const auto& ip : pod.status().pod_ips())
    if (auto address = parse_ip(ip.ip())) out.ips.push_back(*address);
  if (out.ips.empty() && !pod.status().pod_ip().empty())
    if (auto address = parse_ip(pod.status().pod_ip())) out.ips.push_back(*address);
  if (out.ips.empty()) return std::nullopt;
  return out;
}

namespace {

// The metadata an informer and the handlers need: name, namespace, version (their informers
// select nothing by label).
void slim_metadata(api::meta::v1::ObjectMeta& meta) {
  api::meta::v1::ObjectMeta kept;
  kept.set_name(meta.name());
  kept.set_namespace_(meta.namespace_());
  kept.set_resource_version(meta.resource_version());
  meta.Swap(&kept);
}

}  // namespace

void slim_pod(google::protobuf::Message& message) {
  auto& pod = static_cast<core::Pod&>(message);
  slim_metadata(*pod.mutable_metadata());
  core::PodSpec spec;
  spec.set_hostname(pod.spec().hostname());
  spec.set_subdomain(pod.spec().subdomain());
  spec.set_host_network(pod.spec().host_network());
  spec.set_dns_policy(pod.spec().dns_policy());
  if (pod.spec().dns_config().searches_size() > 0)
    *spec.mutable_dns_config()->mutable_searches() = pod.spec().dns_config().searches();
  pod.mutable_spec()->Swap(&spec);
  core::PodStatus status;
  status.set_phase(pod.status().phase());
  status.set_pod_ip(pod.status().pod_ip());
  // podIPs repeats podIP in single-stack clusters: kept only when it says more.
  if (pod.status().pod_ips_size() > 1) *status.mutable_pod_ips() = pod.status().pod_ips();
  pod.mutable_status()->Swap(&status);
}

void slim_service(google::protobuf::Message& message) {
  auto& service = static_cast<core::Service&>(message);
  slim_metadata(*service.mutable_metadata());
  service.clear_status();
}

}  // namespace skiff::dns
