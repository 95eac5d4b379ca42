// Column definitions and cells per type, computed as the stock apiserver's printers do.
#include "tables.hpp"

#include <algorithm>
#include <set>

#include <boost/json.hpp>

#include "batch_tables.hpp"
#include "pod_printer.hpp"
#include "policy_tables.hpp"
#include "rbac_tables.hpp"
#include "autoscaling_tables.hpp"
#include "crd_tables.hpp"
#include "storage_tables.hpp"
#include "workload_tables.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/coordination/v1/lease.pb.h"
#include "skiff/api/node/v1/runtime_class.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/core/v1/service_account.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"
#include "skiff/api/networking/v1/networking.pb.h"
#include "skiff/sdk/k8s_json.hpp"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace core = api::core::v1;
namespace apps = api::apps::v1;
namespace pb = google::protobuf;

using Column = TableColumn;
using Row = TableRow;

std::string or_none(const std::string& text) { return text.empty() ? "<none>" : text; }

std::string age(const pb::Message& object) { return sdk::age_since(sdk::meta_of(object).creation_timestamp()); }

std::string join(const std::vector<std::string>& items, const std::string& separator = ",") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// ---- pods ----

const std::vector<Column> kPodColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic."},
    {"Status", "string", 0, "The aggregate status of the containers in this pod."},
    {"Restarts", "string", 0, "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
    {"IP", "string", 1, "IP address allocated to the pod."},
    {"Node", "string", 1, "Name of the node this pod is assigned to."},
    {"Nominated Node", "string", 1, "Name of the node this pod is nominated to run on."},
    {"Readiness Gates", "string", 1, "Readiness gates of the pod."},
};

Row pod_row(const core::Pod& pod) {
  std::string gates = "<none>";
  if (pod.spec().readiness_gates_size() > 0) {
    int met = 0;
    for (const auto& gate : pod.spec().readiness_gates())
      for (const auto& c : pod.status().conditions())
        if (c.type() == gate.condition_type()) {
          met += c.status() == "True";
          break;
        }
    gates = std::to_string(met) + "/" + std::to_string(pod.spec().readiness_gates_size());
  }
  std::string ip = pod.status().pod_ips_size() > 0 ? pod.status().pod_ips(0).ip() : pod.status().pod_ip();
  PodSummary summary = summarize_pod(pod);
  return {json::string(pod.metadata().name()), json::string(summary.ready), json::string(summary.status),
          json::string(summary.restarts), json::string(age(pod)), json::string(or_none(ip)),
          json::string(or_none(pod.spec().node_name())), json::string(or_none(pod.status().nominated_node_name())),
          json::string(gates)};
}

// ---- workloads ----

template <class Containers>
std::pair<std::string, std::string> names_and_images(const Containers& containers) {
  std::vector<std::string> names, images;
  for (const auto& c : containers) {
    names.push_back(c.name());
    images.push_back(c.image());
  }
  return {join(names), join(images)};
}

std::string selector_text(const api::meta::v1::LabelSelector& selector) {
  try {
    return or_none(sdk::LabelSelector::from_proto(selector).to_string());
  } catch (const std::exception&) {
    return "<error>";
  }
}

const std::vector<Column> kDeploymentColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Ready", "string", 0, "Number of the pod with ready state"},
    {"Up-to-date", "integer", 0, "Total number of non-terminated pods targeted by this deployment that have the desired template spec."},
    {"Available", "integer", 0, "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
    {"Containers", "string", 1, "Names of each container in the template."},
    {"Images", "string", 1, "Images referenced by each container in the template."},
    {"Selector", "string", 1, "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."},
};

Row deployment_row(const apps::Deployment& d) {
  auto [names, images] = names_and_images(d.spec().template_().spec().containers());
  return {json::string(d.metadata().name()),
          json::string(std::to_string(d.status().ready_replicas()) + "/" + std::to_string(d.spec().replicas())),
          d.status().updated_replicas(), d.status().available_replicas(), json::string(age(d)), json::string(names),
          json::string(images), json::string(selector_text(d.spec().selector()))};
}

const std::vector<Column> kReplicaSetColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Desired", "integer", 0, "Replicas is the number of desired replicas."},
    {"Current", "integer", 0, "Replicas is the most recently observed number of replicas."},
    {"Ready", "integer", 0, "The number of ready replicas for this replica set."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
    {"Containers", "string", 1, "Names of each container in the template."},
    {"Images", "string", 1, "Images referenced by each container in the template."},
    {"Selector", "string", 1, "Selector is a label query over pods that should match the replica count."},
};

Row replica_set_row(const apps::ReplicaSet& rs) {
  auto [names, images] = names_and_images(rs.spec().template_().spec().containers());
  return {json::string(rs.metadata().name()), rs.spec().replicas(), rs.status().replicas(), rs.status().ready_replicas(),
          json::string(age(rs)), json::string(names), json::string(images),
          json::string(selector_text(rs.spec().selector()))};
}

// ---- services, endpoints, ingresses, endpoint slices ----

const std::vector<Column> kServiceColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Type", "string", 0, "type determines how the Service is exposed."},
    {"Cluster-IP", "string", 0, "clusterIP is the IP address of the service."},
    {"External-IP", "string", 0, "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."},
    {"Port(s)", "string", 0, "The list of ports that are exposed by this service."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
    {"Selector", "string", 1, "Route service traffic to pods with label keys and values matching this selector."},
};

// Load-balancer ingress points, IP else hostname, sorted and unique (the server prints wide).
template <class Ingresses>
std::string load_balancer_text(const Ingresses& ingresses) {
  std::set<std::string> points;
  for (const auto& i : ingresses)
    if (!i.ip().empty() || !i.hostname().empty()) points.insert(i.ip().empty() ? i.hostname() : i.ip());
  return join({points.begin(), points.end()});
}

std::string external_ip(const core::Service& svc) {
  const auto& spec = svc.spec();
  std::vector<std::string> external(spec.external_ips().begin(), spec.external_ips().end());
  if (spec.type() == "ClusterIP" || spec.type() == "NodePort") return external.empty() ? "<none>" : join(external);
  if (spec.type() == "ExternalName") return spec.external_name();
  if (spec.type() != "LoadBalancer") return "<unknown>";
  std::string balancer = load_balancer_text(svc.status().load_balancer().ingress());
  if (!external.empty()) return balancer.empty() ? join(external) : balancer + "," + join(external);
  return balancer.empty() ? "<pending>" : balancer;
}

Row service_row(const core::Service& svc) {
  const auto& spec = svc.spec();
  std::string cluster_ip = spec.cluster_ips_size() > 0 ? spec.cluster_ips(0) : or_none(spec.cluster_ip());
  std::vector<std::string> ports;
  for (const auto& p : spec.ports())
    ports.push_back(std::to_string(p.port()) + (p.node_port() > 0 ? ":" + std::to_string(p.node_port()) : "") + "/" + p.protocol());
  std::vector<std::pair<std::string, std::string>> selector(spec.selector().begin(), spec.selector().end());
  std::sort(selector.begin(), selector.end());
  std::vector<std::string> selector_parts;
  for (const auto& [k, v] : selector) selector_parts.push_back(k + "=" + v);
  return {json::string(svc.metadata().name()), json::string(spec.type()), json::string(cluster_ip),
          json::string(external_ip(svc)), json::string(ports.empty() ? "<none>" : join(ports)), json::string(age(svc)),
          json::string(or_none(join(selector_parts)))};
}

const std::vector<Column> kEndpointsColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Endpoints", "string", 0, "Endpoints of the service."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
};

// Kubernetes' formatEndpoints: up to three ip:port (bare IPs for a headless subset), then "+ N more...".
std::string endpoints_text(const core::Endpoints& ep) {
  if (ep.subsets().empty()) return "<none>";
  std::vector<std::string> list;
  int count = 0;
  auto add = [&](std::string text) {
    ++count;
    if (list.size() < 3) list.push_back(std::move(text));
  };
  for (const auto& subset : ep.subsets()) {
    if (subset.ports().empty()) {
      for (const auto& address : subset.addresses()) add(address.ip());
      continue;
    }
    for (const auto& port : subset.ports())
      for (const auto& address : subset.addresses()) {
        bool v6 = address.ip().find(':') != std::string::npos;
        add((v6 ? "[" + address.ip() + "]" : address.ip()) + ":" + std::to_string(port.port()));
      }
  }
  return join(list) + (count > 3 ? " + " + std::to_string(count - 3) + " more..." : "");
}

Row endpoints_row(const core::Endpoints& ep) {
  return {json::string(ep.metadata().name()), json::string(endpoints_text(ep)), json::string(age(ep))};
}

const std::vector<Column> kIngressColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Class", "string", 0, "The name of the IngressClass resource that should be used."},
    {"Hosts", "string", 0, "Hosts that incoming requests are matched against before the ingress rule"},
    {"Address", "string", 0, "Address is a list containing ingress points for the load-balancer"},
    {"Ports", "string", 0, "Ports of TLS configurations that open"},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
};

// Kubernetes' formatHosts: the first three rules' hosts (rules without one are skipped), "*" for none.
std::string ingress_hosts(const api::networking::v1::Ingress& ing) {
  std::vector<std::string> hosts;
  for (const auto& rule : ing.spec().rules())
    if (hosts.size() < 3 && !rule.host().empty()) hosts.push_back(rule.host());
  if (hosts.empty()) return "*";
  int more = ing.spec().rules_size() - 3;
  return join(hosts) + (hosts.size() == 3 && more > 0 ? " + " + std::to_string(more) + " more..." : "");
}

Row ingress_row(const api::networking::v1::Ingress& ing) {
  return {json::string(ing.metadata().name()),
          json::string(ing.spec().has_ingress_class_name() ? ing.spec().ingress_class_name() : "<none>"),
          json::string(ingress_hosts(ing)), json::string(load_balancer_text(ing.status().load_balancer().ingress())),
          json::string(ing.spec().tls().empty() ? "80" : "80, 443"), json::string(age(ing))};
}

const std::vector<Column> kIngressClassColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Controller", "string", 0, "Controller that is responsible for handling this class"},
    {"Parameters", "string", 0, "A reference to a resource with additional parameters"},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
};

// Kubernetes' printIngressClass: Kind[.apiGroup]/name of the parameters, "<none>" without.
Row ingress_class_row(const api::networking::v1::IngressClass& ic) {
  std::string parameters = "<none>";
  if (ic.spec().has_parameters()) {
    const auto& p = ic.spec().parameters();
    parameters = p.kind() + (p.has_api_group() ? "." + p.api_group() : "") + "/" + p.name();
  }
  return {json::string(ic.metadata().name()), json::string(ic.spec().controller()), json::string(parameters),
          json::string(age(ic))};
}

const std::vector<Column> kEndpointSliceColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"AddressType", "string", 0, "addressType specifies the type of address carried by this EndpointSlice."},
    {"Ports", "string", 0, "ports specifies the list of network ports exposed by each endpoint in this slice."},
    {"Endpoints", "string", 0, "endpoints is a list of unique endpoints in this slice."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
};

// Kubernetes' listWithMoreString: the first three, "+ N more..." after them, "<unset>" for none.
std::string first_three(const std::vector<std::string>& items) {
  if (items.empty()) return "<unset>";
  std::vector<std::string> shown(items.begin(), items.begin() + std::min<std::size_t>(3, items.size()));
  return join(shown) + (items.size() > 3 ? " + " + std::to_string(items.size() - 3) + " more..." : "");
}

// formatDiscoveryPorts / formatDiscoveryEndpoints: a port's number, else its name, else "*"
// (all ports); every address of every endpoint.
Row endpoint_slice_row(const api::discovery::v1::EndpointSlice& slice) {
  std::vector<std::string> ports, addresses;
  for (const auto& p : slice.ports())
    ports.push_back(p.has_port() ? std::to_string(p.port()) : p.has_name() ? p.name() : "*");
  for (const auto& e : slice.endpoints()) addresses.insert(addresses.end(), e.addresses().begin(), e.addresses().end());
  return {json::string(slice.metadata().name()), json::string(slice.address_type()), json::string(first_three(ports)),
          json::string(first_three(addresses)), json::string(age(slice))};
}

// ---- nodes, namespaces, events, config ----

const std::vector<Column> kNodeColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Status", "string", 0, "The status of the node"},
    {"Roles", "string", 0, "The roles of the node"},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
    {"Version", "string", 0, "Kubelet Version reported by the node."},
    {"Internal-IP", "string", 1, "List of addresses reachable to the node"},
    {"External-IP", "string", 1, "List of addresses reachable to the node"},
    {"OS-Image", "string", 1, "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."},
    {"Kernel-Version", "string", 1, "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."},
    {"Container-Runtime", "string", 1, "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."},
};

Row node_row(const core::Node& node) {
  // Any Ready status but True reads NotReady; no Ready condition at all, Unknown.
  std::string status = "Unknown";
  for (const auto& c : node.status().conditions())
    if (c.type() == "Ready") status = c.status() == "True" ? "Ready" : "NotReady";
  if (node.spec().unschedulable()) status += ",SchedulingDisabled";
  std::set<std::string> roles;
  for (const auto& [key, value] : node.metadata().labels()) {
    const std::string prefix = "node-role.kubernetes.io/";
    if (key.rfind(prefix, 0) == 0 && key.size() > prefix.size()) roles.insert(key.substr(prefix.size()));
    if (key == "kubernetes.io/role" && !value.empty()) roles.insert(value);
  }
  std::string internal, external;
  for (const auto& a : node.status().addresses()) {
    if (a.type() == "InternalIP" && internal.empty()) internal = a.address();
    if (a.type() == "ExternalIP" && external.empty()) external = a.address();
  }
  const auto& info = node.status().node_info();
  auto or_unknown = [](const std::string& text) { return text.empty() ? std::string("<unknown>") : text; };
  return {json::string(node.metadata().name()), json::string(status), json::string(or_none(join({roles.begin(), roles.end()}))),
          json::string(age(node)), json::string(info.kubelet_version()), json::string(or_none(internal)),
          json::string(or_none(external)), json::string(or_unknown(info.os_image())),
          json::string(or_unknown(info.kernel_version())), json::string(or_unknown(info.container_runtime_version()))};
}

const std::vector<Column> kNamespaceColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Status", "string", 0, "The status of the namespace"},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
};

Row namespace_row(const core::Namespace& ns) {
  return {json::string(ns.metadata().name()), json::string(ns.status().phase()), json::string(age(ns))};
}

const std::vector<Column> kEventColumns = {
    {"Last Seen", "string", 0, "Time when last occurrence was observed"},
    {"Type", "string", 0, "Type of this event (Normal, Warning), new types could be added in the future."},
    {"Reason", "string", 0, "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."},
    {"Object", "string", 0, "The object that this event is about."},
    {"Subobject", "string", 1, "The field of the object this event is about"},
    {"Source", "string", 1, "The component reporting this event."},
    {"Message", "string", 0, "A human-readable description of the status of this operation."},
    {"First Seen", "string", 1, "The time at which the event was first recorded."},
    {"Count", "string", 1, "The number of times this event has occurred."},
    {"Name", "string", 1, "Name must be unique within a namespace."},
};

std::string trimmed(const std::string& text) {
  auto first = text.find_first_not_of(" \t\n\r\f\v");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\n\r\f\v") - first + 1);
}

// Kubernetes' printEvent (wide): last seen falls back to first seen, first seen to eventTime;
// a series brings its own last time and count.
Row event_row(const core::Event& ev) {
  std::string first = sdk::age_since(!ev.first_timestamp().empty() ? ev.first_timestamp() : ev.event_time());
  std::string last = !ev.last_timestamp().empty() ? sdk::age_since(ev.last_timestamp()) : first;
  std::int64_t count = ev.count() == 0 ? 1 : ev.count();
  if (ev.has_series()) {
    last = sdk::age_since(ev.series().last_observed_time());
    count = ev.series().count();
  }
  std::string kind = ev.involved_object().kind();
  std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string target = ev.involved_object().name().empty() ? kind : kind + "/" + ev.involved_object().name();
  std::string component = !ev.source().component().empty() ? ev.source().component() : ev.reporting_component();
  std::string instance = !ev.source().host().empty() ? ev.source().host() : ev.reporting_instance();
  std::string source = instance.empty() ? component : component + ", " + instance;
  return {json::string(last), json::string(ev.type()), json::string(ev.reason()), json::string(target),
          json::string(ev.involved_object().field_path()), json::string(source), json::string(trimmed(ev.message())),
          json::string(first), count, json::string(ev.metadata().name())};
}

const std::vector<Column> kConfigMapColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Data", "integer", 0, "Data contains the configuration data."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
};

const std::vector<Column> kSecretColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Type", "string", 0, "Used to facilitate programmatic handling of secret data."},
    {"Data", "integer", 0, "Data contains the secret data."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
};

const std::vector<Column> kServiceAccountColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Secrets", "integer", 0, "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
};

const std::vector<Column> kLeaseColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Holder", "string", 0, "holderIdentity contains the identity of the holder of a current lease."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
};

const std::vector<Column> kRuntimeClassColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Handler", "string", 0, "handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
};

const std::vector<Column> kDefaultColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
};

const std::vector<Column>& columns_for(const std::string& kind) {
  if (kind == "Pod") return kPodColumns;
  if (kind == "Deployment") return kDeploymentColumns;
  if (kind == "ReplicaSet") return kReplicaSetColumns;
  if (kind == "Service") return kServiceColumns;
  if (kind == "Endpoints") return kEndpointsColumns;
  if (kind == "Ingress") return kIngressColumns;
  if (kind == "IngressClass") return kIngressClassColumns;
  if (kind == "EndpointSlice") return kEndpointSliceColumns;
  if (kind == "Node") return kNodeColumns;
  if (kind == "Namespace") return kNamespaceColumns;
  if (kind == "Event") return kEventColumns;
  if (kind == "ConfigMap") return kConfigMapColumns;
  if (kind == "Secret") return kSecretColumns;
  if (kind == "Lease") return kLeaseColumns;
  if (kind == "ServiceAccount") return kServiceAccountColumns;
  if (kind == "RuntimeClass") return kRuntimeClassColumns;
  if (const auto* storage = storage_columns(kind)) return *storage;
  if (const auto* workload = workload_columns(kind)) return *workload;
  if (const auto* batch = batch_columns(kind)) return *batch;
  if (const auto* policy = policy_columns(kind)) return *policy;
  if (const auto* rbac = rbac_columns(kind)) return *rbac;
  if (const auto* autoscaling = autoscaling_columns(kind)) return *autoscaling;
  if (const auto* crds = crd_columns(kind)) return *crds;
  return kDefaultColumns;
}

Row row_for(const std::string& kind, const pb::Message& o) {
  if (storage_columns(kind)) return storage_row(kind, o);
  if (workload_columns(kind)) return workload_row(kind, o);
  if (batch_columns(kind)) return batch_row(kind, o);
  if (policy_columns(kind)) return policy_row(kind, o);
  if (rbac_columns(kind)) return rbac_row(kind, o);
  if (autoscaling_columns(kind)) return autoscaling_row(kind, o);
  if (crd_columns(kind)) return crd_row(o);
  if (kind == "Pod") return pod_row(static_cast<const core::Pod&>(o));
  if (kind == "Deployment") return deployment_row(static_cast<const apps::Deployment&>(o));
  if (kind == "ReplicaSet") return replica_set_row(static_cast<const apps::ReplicaSet&>(o));
  if (kind == "Service") return service_row(static_cast<const core::Service&>(o));
  if (kind == "Endpoints") return endpoints_row(static_cast<const core::Endpoints&>(o));
  if (kind == "Ingress") return ingress_row(static_cast<const api::networking::v1::Ingress&>(o));
  if (kind == "IngressClass") return ingress_class_row(static_cast<const api::networking::v1::IngressClass&>(o));
  if (kind == "EndpointSlice") return endpoint_slice_row(static_cast<const api::discovery::v1::EndpointSlice&>(o));
  if (kind == "Node") return node_row(static_cast<const core::Node&>(o));
  if (kind == "Namespace") return namespace_row(static_cast<const core::Namespace&>(o));
  if (kind == "Event") return event_row(static_cast<const core::Event&>(o));
  if (kind == "ConfigMap") {
    const auto& cm = static_cast<const core::ConfigMap&>(o);
    return {json::string(cm.metadata().name()), cm.data_size() + cm.binary_data_size(), json::string(age(cm))};
  }
  if (kind == "Secret") {
    const auto& s = static_cast<const core::Secret&>(o);
    return {json::string(s.metadata().name()), json::string(s.type()), s.data_size(), json::string(age(s))};
  }
  if (kind == "ServiceAccount") {
    const auto& sa = static_cast<const core::ServiceAccount&>(o);
    return {json::string(sa.metadata().name()), sa.secrets_size(), json::string(age(sa))};
  }
  if (kind == "Lease") {
    const auto& lease = static_cast<const api::coordination::v1::Lease&>(o);
    return {json::string(lease.metadata().name()), json::string(lease.spec().holder_identity()), json::string(age(lease))};
  }
  if (kind == "RuntimeClass") {
    const auto& rc = static_cast<const api::node::v1::RuntimeClass&>(o);
    return {json::string(rc.metadata().name()), json::string(rc.handler()), json::string(age(rc))};
  }
  return {json::string(sdk::meta_of(o).name()), json::string(age(o))};
}

}  // namespace

json::object render_table(const sdk::ResourceType& type, const std::vector<std::shared_ptr<pb::Message>>& objects,
                          const TableOptions& options) {
  json::object table;
  table["kind"] = "Table";
  table["apiVersion"] = "meta.k8s.io/v1";
  json::object metadata;
  metadata["resourceVersion"] = options.resource_version;
  if (!options.continue_token.empty()) metadata["continue"] = options.continue_token;
  table["metadata"] = std::move(metadata);
  const auto& columns = columns_for(type.kind);
  if (options.include_columns) {
    json::array definitions;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      json::object c;
      c["name"] = columns[i].name;
      c["type"] = columns[i].type;
      c["format"] = i == 0 && std::string(columns[i].name) == "Name" ? "name" : "";
      c["description"] = columns[i].description;
      c["priority"] = columns[i].priority;
      definitions.push_back(std::move(c));
    }
    table["columnDefinitions"] = std::move(definitions);
  } else {
    table["columnDefinitions"] = json::array();
  }
  json::array rows;
  for (const auto& object : objects) {
    json::object row;
    json::array cells;
    for (auto& cell : row_for(type.kind, *object)) cells.push_back(std::move(cell));
    row["cells"] = std::move(cells);
    if (options.include_object == "Object") {
      row["object"] = options.encode ? options.encode(*object) : sdk::to_k8s_object(*object, type);
    } else if (options.include_object != "None") {
      json::object partial;
      partial["kind"] = "PartialObjectMetadata";
      partial["apiVersion"] = "meta.k8s.io/v1";
      partial["metadata"] = sdk::to_k8s_json(sdk::meta_of(*object));
      row["object"] = std::move(partial);
    }
    rows.push_back(std::move(row));
  }
  table["rows"] = std::move(rows);
  return table;
}

}  // namespace skiff::apiserver
