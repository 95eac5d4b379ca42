// Per-kind validators. Messages and field paths follow Kubernetes' so that kubectl prints familiar lines.
#include "validation.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "api_error.hpp"
#include "autoscaling_validation.hpp"
#include "same_bytes.hpp"
#include "batch_validation.hpp"
#include "crd_validation.hpp"
#include "endpoint_slice_validation.hpp"
#include "ephemeral_validation.hpp"
#include "field_rules.hpp"
#include "go_values.hpp"
#include "ingress_validation.hpp"
#include "node_validation.hpp"
#include "pod_validation.hpp"
#include "policy_validation.hpp"
#include "rbac_validation.hpp"
#include "storage_validation.hpp"
#include "workload_validation.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/networking/v1/networking.pb.h"
#include "skiff/api/node/v1/runtime_class.pb.h"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/selector.hpp"

namespace skiff::apiserver {
namespace {

namespace core = api::core::v1;
namespace apps = api::apps::v1;
namespace meta = api::meta::v1;
using Differencer = google::protobuf::util::MessageDifferencer;

void each(FieldErrors& errors, const std::string& field, const std::string& value_json, const Messages& messages) {
  for (const auto& m : messages) errors.invalid(field, value_json, m);
}

std::string idx(const std::string& path, int i) { return path + "[" + std::to_string(i) + "]"; }

enum class NameRule { Subdomain, Label, Dns1035, PathSegment };

// Kubernetes' ValidateObjectMeta: name, namespace, labels, annotations.
void check_meta(FieldErrors& errors, const sdk::ResourceType& type, const meta::ObjectMeta& m, NameRule rule) {
  if (m.name().empty()) {
    errors.required("metadata.name", "name or generateName is required");
  } else {
    each(errors, "metadata.name", quoted(m.name()),
         rule == NameRule::Label         ? dns1123_label_errors(m.name())
         : rule == NameRule::Dns1035     ? dns1035_label_errors(m.name())
         : rule == NameRule::PathSegment ? path_segment_name_errors(m.name())
                                         : dns1123_subdomain_errors(m.name()));
  }
  if (type.namespaced && m.namespace_().empty()) errors.required("metadata.namespace");
  check_labels(errors, "metadata.labels", m.labels());
  check_annotations(errors, "metadata.annotations", m.annotations());
}

bool is_zero(const meta::IntOrString& v) {
  if (v.type() == 0) return v.int_val() == 0;
  return !v.str_val().empty() && v.str_val().back() == '%' && std::atoi(v.str_val().c_str()) == 0;
}

// Kubernetes' ValidatePositiveIntOrPercent.
void check_int_or_percent(FieldErrors& errors, const std::string& field, const meta::IntOrString& v) {
  if (v.type() == 0) check_non_negative(errors, field, v.int_val());
  else each(errors, field, go_int_or_string(v), percent_errors(v.str_val()));
}

void check_strategy(FieldErrors& errors, const apps::DeploymentStrategy& strategy) {
  const std::string& type = strategy.type();
  if (type == "Recreate") {
    if (strategy.has_rolling_update())
      errors.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
  } else if (type == "RollingUpdate") {
    const auto& ru = strategy.rolling_update();
    const std::string at = "spec.strategy.rollingUpdate.";
    check_int_or_percent(errors, at + "maxUnavailable", ru.max_unavailable());
    check_int_or_percent(errors, at + "maxSurge", ru.max_surge());
    if (is_zero(ru.max_unavailable()) && is_zero(ru.max_surge()))
      errors.invalid(at + "maxUnavailable", go_int_or_string(ru.max_unavailable()), "may not be 0 when `maxSurge` is 0");
    if (ru.max_unavailable().type() == 1 && std::atoi(ru.max_unavailable().str_val().c_str()) > 100)
      errors.invalid(at + "maxUnavailable", go_int_or_string(ru.max_unavailable()), "must not be greater than 100%");
  } else {
    // Kubernetes reports the whole strategy here, printed by Go.
    std::string rolling = strategy.has_rolling_update() ? "(*apps.RollingUpdateDeployment)(…)" : "(*apps.RollingUpdateDeployment)(nil)";
    errors.unsupported_value("spec.strategy", "apps.DeploymentStrategy{Type:" + quoted(type) + ", RollingUpdate:" + rolling + "}",
                             {"Recreate", "RollingUpdate"});
  }
}

void check_selector_unchanged(FieldErrors& errors, const meta::LabelSelector& before, const meta::LabelSelector& after) {
  if (!Differencer::Equals(before, after)) errors.invalid("spec.selector", go_label_selector(after), "field is immutable");
}

void validate_deployment(FieldErrors& errors, const apps::Deployment& d, const apps::Deployment* old) {
  const auto& spec = d.spec();
  check_non_negative(errors, "spec.replicas", spec.replicas());
  check_selector_and_template(errors, spec.has_selector() ? &spec.selector() : nullptr, spec.template_());
  check_strategy(errors, spec.strategy());
  check_non_negative(errors, "spec.minReadySeconds", spec.min_ready_seconds());
  if (spec.has_revision_history_limit()) check_non_negative(errors, "spec.revisionHistoryLimit", spec.revision_history_limit());
  if (spec.has_progress_deadline_seconds()) {
    check_non_negative(errors, "spec.progressDeadlineSeconds", spec.progress_deadline_seconds());
    if (spec.progress_deadline_seconds() <= spec.min_ready_seconds())
      errors.invalid("spec.progressDeadlineSeconds", std::to_string(spec.progress_deadline_seconds()),
                     "must be greater than minReadySeconds");
  }
  if (old) check_selector_unchanged(errors, old->spec().selector(), spec.selector());
}

void validate_replica_set(FieldErrors& errors, const apps::ReplicaSet& rs, const apps::ReplicaSet* old) {
  check_non_negative(errors, "spec.replicas", rs.spec().replicas());
  check_non_negative(errors, "spec.minReadySeconds", rs.spec().min_ready_seconds());
  check_selector_and_template(errors, rs.spec().has_selector() ? &rs.spec().selector() : nullptr, rs.spec().template_());
  if (old) check_selector_unchanged(errors, old->spec().selector(), rs.spec().selector());
}

void validate_pod(FieldErrors& errors, const core::Pod& pod, const core::Pod* old) {
  // A status or metadata write (most pod updates): the spec was checked when it was written,
  // and an unchanged spec breaks no immutability rule. Kubernetes ratchets the same way.
  if (old && same_bytes(pod.spec(), old->spec())) return;
  check_pod_spec(errors, "spec", pod.spec());
  if (!old) {
    if (!pod.spec().ephemeral_containers().empty())
      errors.forbidden("spec.ephemeralContainers", "cannot be set on create");
    return;
  }
  // Added through pods/ephemeralcontainers (ApiCore refuses them in a plain update).
  check_ephemeral_containers(errors, pod.spec(), &old->spec());
  // Pods are mostly immutable: images, the active deadline and added tolerations may change.
  core::PodSpec a = old->spec(), b = pod.spec();
  for (auto* spec : {&a, &b}) {
    for (auto& c : *spec->mutable_containers()) c.clear_image();
    for (auto& c : *spec->mutable_init_containers()) c.clear_image();
    spec->clear_active_deadline_seconds();
    spec->clear_tolerations();
    spec->clear_ephemeral_containers();
  }
  if (old->spec().node_name().empty() && !pod.spec().node_name().empty()) a.set_node_name(b.node_name());  // binding
  if (!Differencer::Equals(a, b))
    errors.forbidden("spec", "pod updates may not change fields other than `spec.containers[*].image`, "
                             "`spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only "
                             "additions to existing tolerations) or `spec.terminationGracePeriodSeconds` (allow it to be "
                             "set to 1 if it was previously negative)");
}

void check_service_ports(FieldErrors& errors, const core::ServiceSpec& spec) {
  std::set<std::string> names;
  std::set<std::pair<int, std::string>> seen;
  const std::vector<std::string> protocols = {"SCTP", "TCP", "UDP"};
  for (int i = 0; i < spec.ports_size(); ++i) {
    const auto& p = spec.ports(i);
    std::string at = idx("spec.ports", i);
    if (spec.ports_size() > 1 && p.name().empty()) {
      errors.required(at + ".name");
    } else if (!p.name().empty()) {
      each(errors, at + ".name", quoted(p.name()), dns1123_label_errors(p.name()));
      if (!names.insert(p.name()).second) errors.duplicate(at + ".name", quoted(p.name()));
    }
    each(errors, at + ".port", std::to_string(p.port()), port_number_errors(p.port()));
    if (p.protocol().empty()) errors.required(at + ".protocol");
    else if (std::find(protocols.begin(), protocols.end(), p.protocol()) == protocols.end())
      errors.unsupported(at + ".protocol", p.protocol(), protocols);
    if (p.target_port().type() == 0) each(errors, at + ".targetPort", std::to_string(p.target_port().int_val()),
                                          port_number_errors(p.target_port().int_val()));
    else each(errors, at + ".targetPort", quoted(p.target_port().str_val()), port_name_errors(p.target_port().str_val()));
    if (p.node_port() != 0 && spec.type() != "NodePort" && spec.type() != "LoadBalancer")
      errors.forbidden(at + ".nodePort", "may not be used when `type` is '" + spec.type() + "'");
  }
  for (int i = 0; i < spec.ports_size(); ++i)
    if (!seen.insert({spec.ports(i).port(), spec.ports(i).protocol()}).second)
      errors.duplicate(idx("spec.ports", i), go_service_port_key(spec.ports(i)));
}

void validate_service(FieldErrors& errors, const core::Service& svc, const core::Service* old) {
  const auto& spec = svc.spec();
  const std::vector<std::string> types = {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"};
  if (std::find(types.begin(), types.end(), spec.type()) == types.end()) errors.unsupported("spec.type", spec.type(), types);
  if (spec.type() == "ExternalName") {
    if (spec.external_name().empty()) errors.required("spec.externalName");
  } else if (spec.ports().empty() && spec.cluster_ip() != "None") {
    errors.required("spec.ports");
  }
  check_service_ports(errors, spec);
  check_labels(errors, "spec.selector", spec.selector());
  if (!spec.session_affinity().empty() && spec.session_affinity() != "None" && spec.session_affinity() != "ClientIP")
    errors.unsupported("spec.sessionAffinity", spec.session_affinity(), {"ClientIP", "None"});
  if (old && !old->spec().cluster_ip().empty() && old->spec().cluster_ip() != spec.cluster_ip() && !spec.cluster_ip().empty())
    errors.invalid("spec.clusterIPs[0]", "[]string{" + quoted(spec.cluster_ip()) + "}", "may not change once set");
}

// Kubernetes' IsConfigMapKey for every key, at "<field>[<key>]".
template <class Map>
std::size_t check_data_keys(FieldErrors& errors, const std::string& field, const Map& data) {
  std::size_t total = 0;
  for (const auto& [key, value] : std::map<std::string, std::string>(data.begin(), data.end())) {
    total += value.size();
    each(errors, field + "[" + key + "]", quoted(key), config_map_key_errors(key));
  }
  return total;
}

void validate_config_map(FieldErrors& errors, const core::ConfigMap& cm) {
  std::size_t total = check_data_keys(errors, "data", cm.data());
  for (const auto& [key, value] : std::map<std::string, std::string>(cm.data().begin(), cm.data().end()))
    if (cm.binary_data().count(key)) errors.invalid("data[" + key + "]", quoted(key), "duplicate of key present in binaryData");
  total += check_data_keys(errors, "binaryData", cm.binary_data());
  if (total > 1024 * 1024) errors.too_long("", 1024 * 1024);
}

void validate_secret(FieldErrors& errors, const core::Secret& secret) {
  if (check_data_keys(errors, "data", secret.data()) > 1024 * 1024) errors.too_long("data", 1024 * 1024);
}

void validate_runtime_class(FieldErrors& errors, const api::node::v1::RuntimeClass& rc,
                            const api::node::v1::RuntimeClass* old) {
  if (rc.handler().empty()) errors.required("handler");
  else each(errors, "handler", quoted(rc.handler()), dns1123_label_errors(rc.handler()));
  if (old && old->handler() != rc.handler()) errors.invalid("handler", quoted(rc.handler()), "field is immutable");
}

template <class T>
const T* as(const google::protobuf::Message* message) {
  return static_cast<const T*>(message);
}

void validate_kind(FieldErrors& errors, const google::protobuf::Message& object, const google::protobuf::Message* old) {
  if (check_workload(errors, object, old) || check_rbac(errors, object, old)) return;
  const auto* d = object.GetDescriptor();
  if (d == apps::Deployment::descriptor()) validate_deployment(errors, *as<apps::Deployment>(&object), as<apps::Deployment>(old));
  else if (d == apps::ReplicaSet::descriptor()) validate_replica_set(errors, *as<apps::ReplicaSet>(&object), as<apps::ReplicaSet>(old));
  else if (d == api::batch::v1::Job::descriptor()) check_job(errors, *as<api::batch::v1::Job>(&object), as<api::batch::v1::Job>(old));
  else if (d == api::batch::v1::CronJob::descriptor())
    check_cron_job(errors, *as<api::batch::v1::CronJob>(&object), as<api::batch::v1::CronJob>(old));
  else if (d == core::Pod::descriptor()) validate_pod(errors, *as<core::Pod>(&object), as<core::Pod>(old));
  else if (d == core::Node::descriptor()) check_node(errors, *as<core::Node>(&object), as<core::Node>(old));
  else if (d == core::Service::descriptor()) validate_service(errors, *as<core::Service>(&object), as<core::Service>(old));
  else if (d == core::ConfigMap::descriptor()) validate_config_map(errors, *as<core::ConfigMap>(&object));
  else if (d == core::Secret::descriptor()) validate_secret(errors, *as<core::Secret>(&object));
  else if (d == api::networking::v1::Ingress::descriptor())
    check_ingress(errors, *as<api::networking::v1::Ingress>(&object), as<api::networking::v1::Ingress>(old));
  else if (d == api::networking::v1::IngressClass::descriptor())
    check_ingress_class(errors, *as<api::networking::v1::IngressClass>(&object), as<api::networking::v1::IngressClass>(old));
  else if (d == api::discovery::v1::EndpointSlice::descriptor())
    check_endpoint_slice(errors, *as<api::discovery::v1::EndpointSlice>(&object), as<api::discovery::v1::EndpointSlice>(old));
  else if (d == core::PersistentVolume::descriptor())
    check_persistent_volume(errors, *as<core::PersistentVolume>(&object), as<core::PersistentVolume>(old));
  else if (d == core::PersistentVolumeClaim::descriptor())
    check_persistent_volume_claim(errors, *as<core::PersistentVolumeClaim>(&object), as<core::PersistentVolumeClaim>(old));
  else if (d == api::storage::v1::StorageClass::descriptor())
    check_storage_class(errors, *as<api::storage::v1::StorageClass>(&object), as<api::storage::v1::StorageClass>(old));
  else if (d == api::policy::v1::PodDisruptionBudget::descriptor())
    check_pod_disruption_budget(errors, *as<api::policy::v1::PodDisruptionBudget>(&object));
  else if (d == api::node::v1::RuntimeClass::descriptor())
    validate_runtime_class(errors, *as<api::node::v1::RuntimeClass>(&object), as<api::node::v1::RuntimeClass>(old));
  else if (d == api::autoscaling::v2::HorizontalPodAutoscaler::descriptor())
    check_horizontal_pod_autoscaler(errors, *as<api::autoscaling::v2::HorizontalPodAutoscaler>(&object));
  else if (d == api::apiextensions::v1::CustomResourceDefinition::descriptor())
    check_custom_resource_definition(errors, *as<api::apiextensions::v1::CustomResourceDefinition>(&object),
                                     as<api::apiextensions::v1::CustomResourceDefinition>(old));
}

}  // namespace

bool is_dns1123_label(const std::string& name) { return dns1123_label_errors(name).empty(); }
bool is_dns1123_subdomain(const std::string& name) { return dns1123_subdomain_errors(name).empty(); }
bool is_dns1035_label(const std::string& name) { return dns1035_label_errors(name).empty(); }

void validate(const sdk::ResourceType& type, const google::protobuf::Message& object, const google::protobuf::Message* old) {
  FieldErrors errors;
  const meta::ObjectMeta& m = sdk::meta_of(object);
  NameRule rule = type.kind == "Namespace"      ? NameRule::Label
                  : type.kind == "Service"      ? NameRule::Dns1035
                  : type.group == kRbacGroup    ? NameRule::PathSegment  // "system:basic-user" is a fine role name
                                                : NameRule::Subdomain;
  check_meta(errors, type, m, rule);
  if (old) {
    const meta::ObjectMeta& before = sdk::meta_of(*old);
    if (before.name() != m.name()) errors.invalid("metadata.name", quoted(m.name()), "field is immutable");
    if (before.namespace_() != m.namespace_()) errors.invalid("metadata.namespace", quoted(m.namespace_()), "field is immutable");
  }
  validate_kind(errors, object, old);
  errors.throw_if_any(type, m.name());
}

}  // namespace skiff::apiserver
