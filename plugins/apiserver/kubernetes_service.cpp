// The `kubernetes` Service and its endpoints, as Kubernetes' kubernetesservice controller and
// its endpoints adapter (pkg/controlplane/reconcilers) write them.
#include "kubernetes_service.hpp"

#include <map>

#include <google/protobuf/util/message_differencer.h>

namespace skiff::apiserver {

namespace core = api::core::v1;
namespace discovery = api::discovery::v1;
namespace pb = google::protobuf;

namespace {

constexpr const char* kNamespace = "default";
constexpr const char* kName = "kubernetes";
constexpr const char* kPortName = "https";
constexpr int kServicePort = 443;

bool is_ipv6(const std::string& ip) { return ip.find(':') != std::string::npos; }

const sdk::ResourceType& resource(const char* plural) { return *sdk::find_resource(plural); }

std::vector<std::string> endpoint_addresses(const KubernetesServiceOptions& options) {
  return options.addresses.empty() ? std::vector<std::string>{options.address} : options.addresses;
}

template <class M>
bool same(const pb::RepeatedPtrField<M>& a, const pb::RepeatedPtrField<M>& b) {
  if (a.size() != b.size()) return false;
  for (int i = 0; i < a.size(); ++i)
    if (!pb::util::MessageDifferencer::Equals(a[i], b[i])) return false;
  return true;
}

template <class Object>
void name_it(Object& object, std::map<std::string, std::string> labels) {
  object.mutable_metadata()->set_name(kName);
  object.mutable_metadata()->set_namespace_(kNamespace);
  object.mutable_metadata()->mutable_labels()->insert(labels.begin(), labels.end());
}

}  // namespace

core::Service kubernetes_service(const KubernetesServiceOptions& options) {
  core::Service service;
  name_it(service, {{"component", "apiserver"}, {"provider", "kubernetes"}});
  auto* spec = service.mutable_spec();
  spec->set_type("ClusterIP");
  spec->set_cluster_ip(options.cluster_ip);
  spec->add_cluster_ips(options.cluster_ip);
  spec->add_ip_families(is_ipv6(options.cluster_ip) ? "IPv6" : "IPv4");
  spec->set_ip_family_policy("SingleStack");
  spec->set_session_affinity("None");
  spec->set_internal_traffic_policy("Cluster");
  auto* port = spec->add_ports();
  port->set_name(kPortName);
  port->set_protocol("TCP");
  port->set_port(kServicePort);
  port->mutable_target_port()->set_type(0);
  port->mutable_target_port()->set_int_val(options.port);
  return service;
}

core::Endpoints kubernetes_endpoints(const KubernetesServiceOptions& options) {
  core::Endpoints endpoints;
  // The mirroring controller leaves these alone: the apiserver writes the slice itself.
  name_it(endpoints, {{"endpointslice.kubernetes.io/skip-mirror", "true"}});
  auto* subset = endpoints.add_subsets();
  for (const auto& address : endpoint_addresses(options)) subset->add_addresses()->set_ip(address);
  auto* port = subset->add_ports();
  port->set_name(kPortName);
  port->set_port(options.port);
  port->set_protocol("TCP");
  return endpoints;
}

discovery::EndpointSlice kubernetes_endpoint_slice(const KubernetesServiceOptions& options) {
  discovery::EndpointSlice slice;
  // Only the service-name label: no endpointslice.kubernetes.io/managed-by, as Kubernetes
  // writes this one (so no EndpointSlice controller takes it for its own).
  name_it(slice, {{"kubernetes.io/service-name", kName}});
  slice.set_address_type(is_ipv6(options.address) ? "IPv6" : "IPv4");
  for (const auto& address : endpoint_addresses(options)) {
    auto* endpoint = slice.add_endpoints();
    endpoint->add_addresses(address);
    endpoint->mutable_conditions()->set_ready(true);
  }
  auto* port = slice.add_ports();
  port->set_name(kPortName);
  port->set_protocol("TCP");
  port->set_port(options.port);
  return slice;
}

KubernetesService::KubernetesService(ApiCore& api, KubernetesServiceOptions options, spdlog::logger& log)
    : api_(api), options_(std::move(options)), log_(log) {}

void KubernetesService::reconcile() { reconcile({}); }

void KubernetesService::reconcile(const std::vector<std::string>& addresses) {
  KubernetesServiceOptions options = options_;
  options.addresses = addresses;
  membership_changed_ = addresses != last_addresses_;
  if (membership_changed_) {
    std::string listed;
    for (const auto& address : endpoint_addresses(options)) listed += (listed.empty() ? "" : ", ") + address;
    log_.info("the live apiservers are now {}: the kubernetes Service's endpoints follow", listed);
  }
  last_addresses_ = addresses;
  reconcile_service();
  reconcile_endpoints(options);
  reconcile_endpoint_slices(options);
}

// Kubernetes' checkServiceFormat: the type and the ports are put back; the cluster IP cannot
// change, and labels and the rest are left to whoever changed them.
void KubernetesService::reconcile_service() {
  core::Service desired = kubernetes_service(options_);
  ensure(resource("services"), desired, [&](pb::Message& stored) {
    auto& spec = *static_cast<core::Service&>(stored).mutable_spec();
    if (spec.type() == desired.spec().type() && same(spec.ports(), desired.spec().ports())) return;
    spec.set_type(desired.spec().type());
    *spec.mutable_ports() = desired.spec().ports();
  }, true);
}

// Labels and subsets exactly as desired (the adapter's updateEndpoints, ports included).
void KubernetesService::reconcile_endpoints(const KubernetesServiceOptions& options) {
  core::Endpoints desired = kubernetes_endpoints(options);
  ensure(resource("endpoints"), desired, [&](pb::Message& stored) {
    auto& endpoints = static_cast<core::Endpoints&>(stored);
    *endpoints.mutable_metadata()->mutable_labels() = desired.metadata().labels();
    *endpoints.mutable_subsets() = desired.subsets();
  }, false);
}

// The slice named `kubernetes`; any other slice labelled for the Service (or one of the other
// address family: the type cannot change) is deleted, as the adapter does.
void KubernetesService::reconcile_endpoint_slices(const KubernetesServiceOptions& options) {
  const sdk::ResourceType& slices = resource("endpointslices.discovery.k8s.io");
  discovery::EndpointSlice desired = kubernetes_endpoint_slice(options);
  ListQuery query;
  query.namespace_ = kNamespace;
  query.label_selector = std::string("kubernetes.io/service-name=") + kName;
  for (const auto& object : api_.list(slices, query).items) {
    const auto& slice = static_cast<const discovery::EndpointSlice&>(*object);
    if (slice.metadata().name() == kName && slice.address_type() == desired.address_type()) continue;
    try {
      api_.erase(slices, kNamespace, slice.metadata().name(), {});
      log_.info("deleted EndpointSlice {}/{}: the kubernetes Service's slice is {}", kNamespace, slice.metadata().name(),
                kName);
    } catch (const sdk::Error& e) {
      if (e.status().code != 404) throw;
    }
  }
  ensure(slices, desired, [&](pb::Message& stored) {
    auto& slice = static_cast<discovery::EndpointSlice&>(stored);
    *slice.mutable_metadata()->mutable_labels() = desired.metadata().labels();
    *slice.mutable_endpoints() = desired.endpoints();
    *slice.mutable_ports() = desired.ports();
  }, false);
}

void KubernetesService::ensure(const sdk::ResourceType& type, const pb::Message& desired,
                               const std::function<void(pb::Message& stored)>& repair, bool validated) {
  WriteOptions write;
  write.unvalidated = !validated;
  try {
    api_.modify(type, kNamespace, kName, [&](const pb::Message& current) {
      MessagePtr next(current.New());
      next->CopyFrom(current);
      repair(*next);
      if (!pb::util::MessageDifferencer::Equals(current, *next) && !membership_changed_)
        log_.warn("putting back {} {}/{} as the apiserver keeps it", type.kind, kNamespace, kName);
      return next;
    }, "", write);
  } catch (const sdk::Error& e) {
    if (e.status().code != 404) throw;
    MessagePtr object(desired.New());
    object->CopyFrom(desired);
    api_.create(type, kNamespace, object, write);
    log_.info("created {} {}/{}", type.kind, kNamespace, kName);
  }
}

}  // namespace skiff::apiserver
