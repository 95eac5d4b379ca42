// The node's rules, after Kubernetes' Node authorizer (a graph of what its pods reference) and
// NodeRestriction (a node changes only itself and its pods' status), plus the grants the worker
// profile's own plugins need, each named where it is made.
#include "node_authorizer.hpp"

#include <algorithm>

#include "api_error.hpp"
#include "pod_references.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/subjects.hpp"
#include "skiff/sdk/storage/volumes.hpp"

namespace skiff::apiserver {
namespace {

namespace core = api::core::v1;

constexpr const char* kNodeLeaseNamespace = "kube-node-lease";
constexpr const char* kLocalVolumeNode = "storage.skiff.io/node";  // storage-local's PVs

bool is(const sdk::ResourceType& type, const char* group, const char* kind) {
  return type.group == group && type.kind == kind;
}

// Cluster-wide reads a kubelet, kube-proxy, the DNS, ingress and storage-local addons make
// (Kubernetes grants them through system:node, system:node-proxier and the addons' roles).
bool readable_everywhere(const sdk::ResourceType& type) {
  static const std::vector<std::pair<std::string, std::string>> kinds = {
      {"", "Node"}, {"", "Pod"}, {"", "Service"}, {"", "Endpoints"}, {"", "Namespace"},
      {"", "PersistentVolume"}, {"", "PersistentVolumeClaim"}, {"discovery.k8s.io", "EndpointSlice"},
      {"node.k8s.io", "RuntimeClass"}, {"networking.k8s.io", "Ingress"}, {"networking.k8s.io", "IngressClass"},
      {"storage.k8s.io", "StorageClass"}};
  return std::any_of(kinds.begin(), kinds.end(),
                     [&](const auto& k) { return type.group == k.first && type.kind == k.second; });
}

bool is_read(const std::string& verb) { return verb == "get" || verb == "list" || verb == "history"; }

std::string annotation(const google::protobuf::Message* object, const std::string& key) {
  if (!object) return "";
  const auto& annotations = sdk::meta_of(*object).annotations();
  auto found = annotations.find(key);
  return found == annotations.end() ? "" : found->second;
}

bool owned_by_node(const google::protobuf::Message* object, const std::string& node) {
  if (!object) return false;
  for (const auto& owner : sdk::meta_of(*object).owner_references())
    if (owner.kind() == "Node" && owner.name() == node) return true;
  return false;
}

std::string object_name(const NodeRequest& r) {
  std::string name = r.name.empty() && r.object ? sdk::meta_of(*r.object).name() : r.name;
  std::string what = r.type.plural + (r.subresource.empty() ? "" : "/" + r.subresource);
  if (!r.ns.empty()) return what + " " + r.ns + "/" + name;
  return name.empty() ? what : what + " " + name;
}

}  // namespace

void NodeAuthorizer::check(const std::string& node, const NodeRequest& request) {
  bool allowed = is_read(request.verb) ? read_allowed(node, request) : write_allowed(node, request);
  if (allowed) return;
  throw ApiError(sdk::Status::Forbidden("node \"" + node + "\" may not " + request.verb + " " + object_name(request) +
                                        ": a node's bus credentials reach its own Node and Lease, its pods' status "
                                        "and what they reference (Node authorizer)"));
}

bool NodeAuthorizer::read_allowed(const std::string& node, const NodeRequest& r) {
  if (readable_everywhere(r.type)) return true;
  if (is(r.type, "coordination.k8s.io", "Lease")) return r.verb == "get" && r.ns == kNodeLeaseNamespace && r.name == node;
  // Lists and history come redacted (node_redaction.hpp): metadata, and TLS Secrets whole for
  // the ingress addon on every worker.
  if (sdk::node_redacted_kind(r.type.group, r.type.kind) && r.verb != "get") return true;
  bool referable = is(r.type, "", "Secret") || is(r.type, "", "ConfigMap") || is(r.type, "", "ServiceAccount");
  return referable && r.verb == "get" && referenced_by_pods_here(node, r.type.kind, r.ns, r.name);
}

bool NodeAuthorizer::write_allowed(const std::string& node, const NodeRequest& r) {
  const std::string& v = r.verb;
  bool writes = v == "create" || v == "update" || v == "patch";
  if (is(r.type, "", "Node")) return writes && (r.name == node || (r.object && sdk::meta_of(*r.object).name() == node));
  if (is(r.type, "coordination.k8s.io", "Lease"))
    return writes && r.ns == kNodeLeaseNamespace && (r.name == node || (r.object && sdk::meta_of(*r.object).name() == node));
  if (is(r.type, "", "Pod")) {
    bool status = (v == "update" || v == "patch") && r.subresource == "status";
    return (status || v == "delete") && pod_bound_here(node, r.ns, r.name);
  }
  if (is(r.type, "", "Event") || is(r.type, "events.k8s.io", "Event")) return writes;
  // A projected service account token for a pod of this node (TokenRequest).
  if (is(r.type, "", "ServiceAccount"))
    return v == "create" && r.subresource == "token" && referenced_by_pods_here(node, "ServiceAccount", r.ns, r.name);
  // storage-local: it claims a PVC for this node, makes its PVs, deletes its released ones and
  // the default StorageClass.
  if (is(r.type, "", "PersistentVolumeClaim"))
    return v == "update" && r.subresource.empty() && annotation(r.object, sdk::storage::kSelectedNode) == node;
  if (is(r.type, "", "PersistentVolume")) {
    if (v == "create") return annotation(r.object, kLocalVolumeNode) == node;
    if (v == "delete") return annotation(current(r).get(), kLocalVolumeNode) == node;
    return false;
  }
  if (is(r.type, "storage.k8s.io", "StorageClass")) return v == "create";
  // dns: the kube-dns Service, and the EndpointSlice through which other nodes reach this node's DNS.
  if (is(r.type, "", "Service")) return v == "create" && r.ns == "kube-system" && r.object &&
                                        sdk::meta_of(*r.object).name() == "kube-dns";
  if (is(r.type, "discovery.k8s.io", "EndpointSlice")) {
    if (r.ns != "kube-system") return false;
    if (v == "delete") return owned_by_node(current(r).get(), node);  // the addon leaving the node
    return (v == "create" || v == "update") && owned_by_node(r.object, node) &&
           (v == "create" || owned_by_node(current(r).get(), node));
  }
  // ingress: its IngressClass and the Ingresses' status.
  if (is(r.type, "networking.k8s.io", "IngressClass")) return v == "create";
  if (is(r.type, "networking.k8s.io", "Ingress")) return v == "update" && r.subresource == "status";
  return false;
}

MessagePtr NodeAuthorizer::current(const NodeRequest& r) {
  try {
    return api_.get(r.type, r.ns, r.name.empty() && r.object ? sdk::meta_of(*r.object).name() : r.name);
  } catch (const sdk::Error&) {
    return nullptr;
  }
}

// A pod that is gone already passes: the API then answers 404, as the kubelet expects (a node
// may read every pod, so that says nothing new).
bool NodeAuthorizer::pod_bound_here(const std::string& node, const std::string& ns, const std::string& name) {
  const auto* type = sdk::find_resource_by_kind("", "Pod");
  try {
    auto pod = api_.get(*type, ns, name);
    return static_cast<const core::Pod&>(*pod).spec().node_name() == node;
  } catch (const sdk::Error& e) {
    return e.status().code == 404;
  }
}

bool NodeAuthorizer::referenced_by_pods_here(const std::string& node, const std::string& kind, const std::string& ns,
                                             const std::string& name) {
  const auto* type = sdk::find_resource_by_kind("", "Pod");
  ListQuery query{ns, "", "spec.nodeName=" + node, "", 0};
  for (const auto& item : api_.list(*type, query).items)
    if (references_of(static_cast<const core::Pod&>(*item)).names(kind, name)) return true;
  return false;
}

}  // namespace skiff::apiserver
