// The registry of built-in resource types, as discovery and the store see them.
#include "skiff/sdk/resources.hpp"

#include <google/protobuf/message.h>

#include "skiff/api/apiextensions/v1/apiextensions.pb.h"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/apps/v1/workloads.pb.h"
#include "skiff/api/autoscaling/v2/autoscaling.pb.h"
#include "skiff/api/batch/v1/batch.pb.h"
#include "skiff/api/coordination/v1/lease.pb.h"
#include "skiff/api/node/v1/runtime_class.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/core/v1/service_account.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"
#include "skiff/api/networking/v1/networking.pb.h"
#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/policy/v1/policy.pb.h"
#include "skiff/api/rbac/v1/rbac.pb.h"
#include "skiff/api/storage/v1/storage.pb.h"
#include "skiff/sdk/status.hpp"

namespace skiff::sdk {

std::unique_ptr<google::protobuf::Message> ResourceType::new_object() const {
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor);
  if (!prototype) throw Error(Status::Internal("no message type for " + kind));
  return std::unique_ptr<google::protobuf::Message>(prototype->New());
}

const std::vector<ResourceType>& resource_types() {
  namespace core = api::core::v1;
  namespace apps = api::apps::v1;
  namespace net = api::networking::v1;
  static const std::vector<ResourceType> types = {
      {"", "v1", "Namespace", "namespaces", "namespace", false, {"ns"}, {}, core::Namespace::descriptor()},
      {"", "v1", "Pod", "pods", "pod", true, {"po"}, {"all"}, core::Pod::descriptor()},
      {"", "v1", "Node", "nodes", "node", false, {"no"}, {}, core::Node::descriptor()},
      {"", "v1", "Service", "services", "service", true, {"svc"}, {"all"}, core::Service::descriptor()},
      {"", "v1", "Endpoints", "endpoints", "endpoints", true, {"ep"}, {}, core::Endpoints::descriptor()},
      {"", "v1", "Event", "events", "event", true, {"ev"}, {}, core::Event::descriptor()},
      {"", "v1", "ConfigMap", "configmaps", "configmap", true, {"cm"}, {}, core::ConfigMap::descriptor()},
      {"", "v1", "Secret", "secrets", "secret", true, {}, {}, core::Secret::descriptor()},
      {"", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", true, {"sa"}, {},
       core::ServiceAccount::descriptor()},
      {"", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", false, {"pv"}, {},
       core::PersistentVolume::descriptor()},
      {"", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", true, {"pvc"}, {},
       core::PersistentVolumeClaim::descriptor()},
      {"apps", "v1", "Deployment", "deployments", "deployment", true, {"deploy"}, {"all"},
       apps::Deployment::descriptor()},
      {"apps", "v1", "ReplicaSet", "replicasets", "replicaset", true, {"rs"}, {"all"}, apps::ReplicaSet::descriptor()},
      {"apps", "v1", "DaemonSet", "daemonsets", "daemonset", true, {"ds"}, {"all"}, apps::DaemonSet::descriptor()},
      {"apps", "v1", "StatefulSet", "statefulsets", "statefulset", true, {"sts"}, {"all"},
       apps::StatefulSet::descriptor()},
      {"apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", true, {}, {},
       apps::ControllerRevision::descriptor()},
      {"batch", "v1", "Job", "jobs", "job", true, {}, {"all"}, api::batch::v1::Job::descriptor()},
      {"batch", "v1", "CronJob", "cronjobs", "cronjob", true, {"cj"}, {"all"}, api::batch::v1::CronJob::descriptor()},
      {"networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", true, {"ing"}, {}, net::Ingress::descriptor()},
      {"networking.k8s.io", "v1", "IngressClass", "ingressclasses", "ingressclass", false, {}, {},
       net::IngressClass::descriptor()},
      {"discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", true, {}, {},
       api::discovery::v1::EndpointSlice::descriptor()},
      {"coordination.k8s.io", "v1", "Lease", "leases", "lease", true, {}, {}, api::coordination::v1::Lease::descriptor()},
      {"node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", "runtimeclass", false, {}, {},
       api::node::v1::RuntimeClass::descriptor()},
      {"storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", false, {"sc"}, {},
       api::storage::v1::StorageClass::descriptor()},
      {"policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", true, {"pdb"}, {},
       api::policy::v1::PodDisruptionBudget::descriptor()},
      // Stored as autoscaling/v2; the apiserver also serves autoscaling/v1 (served_versions).
      {"autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", "horizontalpodautoscaler", true,
       {"hpa"}, {"all"}, api::autoscaling::v2::HorizontalPodAutoscaler::descriptor()},
      {"apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
       "customresourcedefinition", false, {"crd", "crds"}, {},
       api::apiextensions::v1::CustomResourceDefinition::descriptor()},
      {"rbac.authorization.k8s.io", "v1", "Role", "roles", "role", true, {}, {}, api::rbac::v1::Role::descriptor()},
      {"rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", false, {}, {},
       api::rbac::v1::ClusterRole::descriptor()},
      {"rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", true, {}, {},
       api::rbac::v1::RoleBinding::descriptor()},
      {"rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", "clusterrolebinding", false, {},
       {}, api::rbac::v1::ClusterRoleBinding::descriptor()},
  };
  return types;
}

const ResourceType* find_resource_by_kind(std::string_view group, std::string_view kind) {
  for (const auto& type : resource_types())
    if (type.group == group && type.kind == kind) return &type;
  return nullptr;
}

const ResourceType* find_resource_by_plural(std::string_view group, std::string_view plural) {
  for (const auto& type : resource_types())
    if (type.group == group && type.plural == plural) return &type;
  return nullptr;
}

const ResourceType* find_resource(std::string_view resource) {
  for (const auto& type : resource_types())
    if (type.resource() == resource) return &type;
  return nullptr;
}

const ResourceType* find_resource_by_descriptor(const google::protobuf::Descriptor* descriptor) {
  for (const auto& type : resource_types())
    if (type.descriptor == descriptor) return &type;
  return nullptr;
}

}  // namespace skiff::sdk
