// Hand tables of what Kubernetes' OpenAPI declares beyond the field types (see the header).
#include "openapi_field_notes.hpp"

#include <map>
#include <utility>

namespace skiff::apiserver {
namespace {

const std::string kCore = "io.k8s.api.core.v1.";
const std::string kApps = "io.k8s.api.apps.v1.";
const std::string kMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.";

}  // namespace

const std::vector<std::string>& required_fields(std::string_view definition) {
  static const std::map<std::string, std::vector<std::string>, std::less<>> table = {
      {kCore + "Container", {"name"}},
      {kCore + "EphemeralContainer", {"name"}},
      {kCore + "ContainerPort", {"containerPort"}},
      {kCore + "EnvVar", {"name"}},
      {kCore + "Volume", {"name"}},
      {kCore + "VolumeMount", {"name", "mountPath"}},
      {kCore + "PodSpec", {"containers"}},
      {kCore + "ServicePort", {"port"}},
      {kCore + "KeyToPath", {"key", "path"}},
      {kCore + "HTTPGetAction", {"port"}},
      {kCore + "TCPSocketAction", {"port"}},
      {kCore + "ConfigMapKeySelector", {"key"}},
      {kCore + "SecretKeySelector", {"key"}},
      {kCore + "ObjectFieldSelector", {"fieldPath"}},
      {kCore + "ResourceFieldSelector", {"resource"}},
      {kApps + "DeploymentSpec", {"selector", "template"}},
      {kApps + "ReplicaSetSpec", {"selector"}},
      {kApps + "DaemonSetSpec", {"selector", "template"}},
      {kApps + "StatefulSetSpec", {"selector", "template"}},
      {"io.k8s.api.batch.v1.JobSpec", {"template"}},
      {"io.k8s.api.batch.v1.CronJobSpec", {"schedule", "jobTemplate"}},
      {kMeta + "LabelSelectorRequirement", {"key", "operator"}},
      {kMeta + "OwnerReference", {"apiVersion", "kind", "name", "uid"}},
  };
  static const std::vector<std::string> none;
  auto it = table.find(definition);
  return it == table.end() ? none : it->second;
}

const ListType* list_type_of(std::string_view definition, std::string_view field) {
  static const std::map<std::pair<std::string, std::string>, ListType> table = {
      {{kMeta + "ObjectMeta", "finalizers"}, {"set", {}}},
      {{kMeta + "ObjectMeta", "ownerReferences"}, {"map", {"uid"}}},
      {{kCore + "Container", "ports"}, {"map", {"containerPort", "protocol"}}},
      {{kCore + "ServiceSpec", "ports"}, {"map", {"port", "protocol"}}},
      {{kCore + "PodStatus", "conditions"}, {"map", {"type"}}},
      {{kCore + "PodSpec", "topologySpreadConstraints"}, {"map", {"topologyKey", "whenUnsatisfiable"}}},
  };
  auto it = table.find({std::string(definition), std::string(field)});
  return it == table.end() ? nullptr : &it->second;
}

std::string common_field_description(std::string_view field, std::string_view kind) {
  std::string k(kind);
  if (field == "apiVersion")
    return "The versioned schema of this representation of the object (\"v1\", \"apps/v1\"); the server converts "
           "what it receives to the version it stores.";
  if (field == "kind") return "The REST resource this object represents, in CamelCase (\"" + k + "\").";
  if (field == "metadata")
    return "Standard object metadata: name, namespace, labels, annotations, owner references and what the "
           "server records (uid, resourceVersion, creationTimestamp).";
  if (field == "spec") return "The desired state of the " + k + ", as its owner writes it.";
  if (field == "status") return "The most recently observed state of the " + k + ", written by the system. Read-only.";
  if (field == "items") return "The " + k + " objects of this list.";
  return "";
}

}  // namespace skiff::apiserver
