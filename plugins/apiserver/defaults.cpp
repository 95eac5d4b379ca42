// One function per type, each setting only what Kubernetes' SetDefaults_* set.
#include "defaults.hpp"

#include "crd_validation.hpp"

#include "skiff/sdk/ephemeral_container.hpp"

#include "autoscaling_defaults.hpp"
#include "batch_defaults.hpp"
#include "rbac_validation.hpp"

#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"
#include "skiff/api/networking/v1/networking.pb.h"
#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/storage/v1/storage.pb.h"
#include "workload_defaults.hpp"

namespace skiff::apiserver {
namespace {

namespace core = api::core::v1;
namespace apps = api::apps::v1;

void default_probe(core::Probe* probe) {
  if (probe->timeout_seconds() == 0) probe->set_timeout_seconds(1);
  if (probe->period_seconds() == 0) probe->set_period_seconds(10);
  if (probe->success_threshold() == 0) probe->set_success_threshold(1);
  if (probe->failure_threshold() == 0) probe->set_failure_threshold(3);
  if (probe->has_http_get()) {
    if (probe->http_get().path().empty()) probe->mutable_http_get()->set_path("/");
    if (probe->http_get().scheme().empty()) probe->mutable_http_get()->set_scheme("HTTP");
  }
}

// ":latest" or no tag means the image moves, so it is pulled every time.
std::string pull_policy_for(const std::string& image) {
  auto at = image.find('@');
  if (at != std::string::npos) return "IfNotPresent";
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  if (!tagged || image.substr(colon + 1) == "latest") return "Always";
  return "IfNotPresent";
}

// SetDefaults_ObjectFieldSelector: a fieldRef reads the v1 Pod.
void default_field_ref(core::ObjectFieldSelector* ref) {
  if (ref->api_version().empty()) ref->set_api_version("v1");
}

void default_downward_files(google::protobuf::RepeatedPtrField<core::DownwardAPIVolumeFile>* files) {
  for (auto& file : *files)
    if (file.has_field_ref()) default_field_ref(file.mutable_field_ref());
}

// Files Kubernetes writes are 0644 (420) unless the volume says otherwise.
void default_volume(core::Volume& v) {
  if (v.has_secret() && !v.secret().has_default_mode()) v.mutable_secret()->set_default_mode(420);
  if (v.has_config_map() && !v.config_map().has_default_mode()) v.mutable_config_map()->set_default_mode(420);
  if (v.has_downward_api()) {
    if (!v.downward_api().has_default_mode()) v.mutable_downward_api()->set_default_mode(420);
    default_downward_files(v.mutable_downward_api()->mutable_items());
  }
  if (v.has_projected()) {
    if (!v.projected().has_default_mode()) v.mutable_projected()->set_default_mode(420);
    for (auto& source : *v.mutable_projected()->mutable_sources())
      if (source.has_downward_api()) default_downward_files(source.mutable_downward_api()->mutable_items());
  }
}

void default_container(core::Container* c) {
  for (auto& env : *c->mutable_env())
    if (env.value_from().has_field_ref()) default_field_ref(env.mutable_value_from()->mutable_field_ref());
  if (c->image_pull_policy().empty()) c->set_image_pull_policy(pull_policy_for(c->image()));
  if (c->termination_message_path().empty()) c->set_termination_message_path("/dev/termination-log");
  if (c->termination_message_policy().empty()) c->set_termination_message_policy("File");
  for (auto& port : *c->mutable_ports())
    if (port.protocol().empty()) port.set_protocol("TCP");
  if (c->has_liveness_probe()) default_probe(c->mutable_liveness_probe());
  if (c->has_readiness_probe()) default_probe(c->mutable_readiness_probe());
  if (c->has_startup_probe()) default_probe(c->mutable_startup_probe());
  if (c->resources().limits().empty() && c->resources().requests().empty()) c->clear_resources();
}

// Limits without requests: the requests are the limits. A Pod's own default (SetDefaults_Pod),
// not a pod template's: a Deployment keeps the template it was given.
void default_requests_from_limits(core::Pod& pod) {
  for (auto* containers : {pod.mutable_spec()->mutable_init_containers(), pod.mutable_spec()->mutable_containers()})
    for (auto& c : *containers) {
      if (c.resources().limits().empty()) continue;
      auto* resources = c.mutable_resources();
      for (const auto& [name, quantity] : resources->limits())
        if (!resources->requests().count(name)) (*resources->mutable_requests())[name] = quantity;
    }
}

}  // namespace

void default_pod_spec(core::PodSpec* spec) {
  // kubectl debug (and client-go callers) dereference these without checking.
  if (!spec->has_security_context()) spec->mutable_security_context();
  if (!spec->has_enable_service_links()) spec->set_enable_service_links(true);
  if (spec->restart_policy().empty()) spec->set_restart_policy("Always");
  if (!spec->has_termination_grace_period_seconds()) spec->set_termination_grace_period_seconds(30);
  if (spec->dns_policy().empty()) spec->set_dns_policy("ClusterFirst");
  if (spec->scheduler_name().empty()) spec->set_scheduler_name("default-scheduler");
  for (auto& c : *spec->mutable_init_containers()) default_container(&c);
  for (auto& c : *spec->mutable_containers()) default_container(&c);
  for (auto& e : *spec->mutable_ephemeral_containers()) {
    core::Container c = sdk::as_container(e);
    default_container(&c);
    e = sdk::as_ephemeral(c, e.target_container_name());
  }
  for (auto& v : *spec->mutable_volumes()) default_volume(v);
  for (auto& t : *spec->mutable_tolerations())
    if (t.operator_().empty()) t.set_operator_("Equal");
}

namespace {

void default_rolling(apps::RollingUpdateDeployment* rolling) {
  if (!rolling->has_max_unavailable()) {
    rolling->mutable_max_unavailable()->set_type(1);
    rolling->mutable_max_unavailable()->set_str_val("25%");
  }
  if (!rolling->has_max_surge()) {
    rolling->mutable_max_surge()->set_type(1);
    rolling->mutable_max_surge()->set_str_val("25%");
  }
}

void default_deployment(apps::Deployment& d) {
  auto* spec = d.mutable_spec();
  if (!spec->has_replicas()) spec->set_replicas(1);
  if (spec->strategy().type().empty()) spec->mutable_strategy()->set_type("RollingUpdate");
  if (spec->strategy().type() == "RollingUpdate") default_rolling(spec->mutable_strategy()->mutable_rolling_update());
  if (!spec->has_revision_history_limit()) spec->set_revision_history_limit(10);
  if (!spec->has_progress_deadline_seconds()) spec->set_progress_deadline_seconds(600);
  default_pod_spec(spec->mutable_template_()->mutable_spec());
}

void default_replica_set(apps::ReplicaSet& rs) {
  if (!rs.spec().has_replicas()) rs.mutable_spec()->set_replicas(1);
  default_pod_spec(rs.mutable_spec()->mutable_template_()->mutable_spec());
}

void default_service(core::Service& svc) {
  auto* spec = svc.mutable_spec();
  if (spec->type().empty()) spec->set_type("ClusterIP");
  if (spec->session_affinity().empty()) spec->set_session_affinity("None");
  for (auto& port : *spec->mutable_ports()) {
    if (port.protocol().empty()) port.set_protocol("TCP");
    const auto& target = port.target_port();
    if (!port.has_target_port() || (target.type() == 0 && target.int_val() == 0) ||
        (target.type() == 1 && target.str_val().empty())) {
      port.mutable_target_port()->set_type(0);
      port.mutable_target_port()->set_int_val(port.port());
    }
  }
  if (spec->type() != "ExternalName") {
    if (spec->ip_families().empty()) spec->add_ip_families("IPv4");
    if (!spec->has_ip_family_policy()) spec->set_ip_family_policy("SingleStack");
    if (!spec->has_internal_traffic_policy()) spec->set_internal_traffic_policy("Cluster");
  }
  if ((spec->type() == "NodePort" || spec->type() == "LoadBalancer") && spec->external_traffic_policy().empty())
    spec->set_external_traffic_policy("Cluster");
}

void default_namespace(core::Namespace& ns) {
  if (ns.status().phase().empty()) ns.mutable_status()->set_phase("Active");
}

void default_secret(core::Secret& secret) {
  if (secret.type().empty()) secret.set_type("Opaque");
  // stringData is write-only: it lands in data.
  for (const auto& [key, value] : secret.string_data()) (*secret.mutable_data())[key] = value;
  secret.clear_string_data();
}

// Kubernetes' v1 NodeSpec conversion (podCIDRs is the truth; podCIDR mirrors its first
// entry): an older client's lone podCIDR, or one that differs from podCIDRs[0], wins.
void default_node(core::Node& node) {
  auto* spec = node.mutable_spec();
  if (!spec->pod_cidr().empty() && (spec->pod_cidrs().empty() || spec->pod_cidrs(0) != spec->pod_cidr())) {
    spec->clear_pod_cidrs();
    spec->add_pod_cidrs(spec->pod_cidr());
  }
  if (!spec->pod_cidrs().empty()) spec->set_pod_cidr(spec->pod_cidrs(0));
}

// Kubernetes' SetDefaults_EndpointPort: a port's name and protocol are pointers defaulted to "" and TCP.
void default_endpoint_slice(api::discovery::v1::EndpointSlice& slice) {
  for (auto& port : *slice.mutable_ports()) {
    if (!port.has_name()) port.set_name("");
    if (!port.has_protocol()) port.set_protocol("TCP");
  }
}

// Kubernetes' SetDefaults_IngressClass: parameters without a scope refer to a cluster-scoped resource.
void default_ingress_class(api::networking::v1::IngressClass& ic) {
  if (ic.spec().has_parameters() && !ic.spec().parameters().has_scope())
    ic.mutable_spec()->mutable_parameters()->set_scope("Cluster");
}

// SetDefaults_PersistentVolume: a volume made by hand is kept when released.
void default_persistent_volume(core::PersistentVolume& pv) {
  if (pv.spec().persistent_volume_reclaim_policy().empty()) pv.mutable_spec()->set_persistent_volume_reclaim_policy("Retain");
  if (!pv.spec().has_volume_mode()) pv.mutable_spec()->set_volume_mode("Filesystem");
}

void default_persistent_volume_claim(core::PersistentVolumeClaim& pvc) {
  if (!pvc.spec().has_volume_mode()) pvc.mutable_spec()->set_volume_mode("Filesystem");
}

// SetDefaults_StorageClass.
void default_storage_class(api::storage::v1::StorageClass& sc) {
  if (!sc.has_reclaim_policy()) sc.set_reclaim_policy("Delete");
  if (!sc.has_volume_binding_mode()) sc.set_volume_binding_mode("Immediate");
}

}  // namespace

// What the admission plugins Kubernetes enables by default add to a Pod (not to a template):
// ServiceAccount names the namespace's default account, Priority gives the default priority
// and DefaultTolerationSeconds lets the pod ride out a not-ready or unreachable node for a while (300 s by default).
void admit_pod(core::Pod& pod, std::int64_t default_toleration_seconds) {
  auto* spec = pod.mutable_spec();
  if (spec->service_account_name().empty()) spec->set_service_account_name(spec->service_account().empty() ? "default" : spec->service_account());
  spec->set_service_account(spec->service_account_name());  // the deprecated alias mirrors it
  if (!spec->has_priority() && spec->priority_class_name().empty()) spec->set_priority(0);
  if (spec->preemption_policy().empty()) spec->set_preemption_policy("PreemptLowerPriority");
  for (const char* taint : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    bool tolerated = false;
    for (const auto& t : spec->tolerations())
      tolerated |= (t.key() == taint || (t.key().empty() && t.operator_() == "Exists")) &&
                   (t.effect().empty() || t.effect() == "NoExecute");
    if (tolerated) continue;
    auto* t = spec->add_tolerations();
    t->set_key(taint);
    t->set_operator_("Exists");
    t->set_effect("NoExecute");
    t->set_toleration_seconds(default_toleration_seconds);
  }
}

void apply_defaults(google::protobuf::Message& object) {
  if (apply_workload_defaults(object) || default_rbac(object)) return;
  const auto* d = object.GetDescriptor();
  if (d == core::Pod::descriptor()) {
    default_pod_spec(static_cast<core::Pod&>(object).mutable_spec());
    default_requests_from_limits(static_cast<core::Pod&>(object));
  }
  else if (d == apps::Deployment::descriptor()) default_deployment(static_cast<apps::Deployment&>(object));
  else if (d == apps::ReplicaSet::descriptor()) default_replica_set(static_cast<apps::ReplicaSet&>(object));
  else if (d == api::batch::v1::Job::descriptor()) default_job(static_cast<api::batch::v1::Job&>(object));
  else if (d == api::batch::v1::CronJob::descriptor()) default_cron_job(static_cast<api::batch::v1::CronJob&>(object));
  else if (d == core::Service::descriptor()) default_service(static_cast<core::Service&>(object));
  else if (d == core::Namespace::descriptor()) default_namespace(static_cast<core::Namespace&>(object));
  else if (d == core::Secret::descriptor()) default_secret(static_cast<core::Secret&>(object));
  else if (d == core::Node::descriptor()) default_node(static_cast<core::Node&>(object));
  else if (d == api::discovery::v1::EndpointSlice::descriptor())
    default_endpoint_slice(static_cast<api::discovery::v1::EndpointSlice&>(object));
  else if (d == core::PersistentVolume::descriptor()) default_persistent_volume(static_cast<core::PersistentVolume&>(object));
  else if (d == core::PersistentVolumeClaim::descriptor())
    default_persistent_volume_claim(static_cast<core::PersistentVolumeClaim&>(object));
  else if (d == api::storage::v1::StorageClass::descriptor())
    default_storage_class(static_cast<api::storage::v1::StorageClass&>(object));
  else if (d == api::networking::v1::IngressClass::descriptor())
    default_ingress_class(static_cast<api::networking::v1::IngressClass&>(object));
  else if (d == api::autoscaling::v2::HorizontalPodAutoscaler::descriptor())
    default_horizontal_pod_autoscaler(static_cast<api::autoscaling::v2::HorizontalPodAutoscaler&>(object));
  else if (d == api::apiextensions::v1::CustomResourceDefinition::descriptor())
    default_custom_resource_definition(static_cast<api::apiextensions::v1::CustomResourceDefinition&>(object));
}

}  // namespace skiff::apiserver
