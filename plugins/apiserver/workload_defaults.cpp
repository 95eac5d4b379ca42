// The fields Kubernetes fills on DaemonSets and StatefulSets that their controllers and kubectl read.
#include "workload_defaults.hpp"

#include "defaults.hpp"
#include "skiff/api/apps/v1/workloads.pb.h"

namespace skiff::apiserver {
namespace {

namespace apps = api::apps::v1;

void set_int(api::meta::v1::IntOrString* value, int number) {
  value->set_type(0);
  value->set_int_val(number);
}

void default_daemon_set(apps::DaemonSet& ds) {
  auto* spec = ds.mutable_spec();
  auto* strategy = spec->mutable_update_strategy();
  if (strategy->type().empty()) strategy->set_type("RollingUpdate");
  if (strategy->type() == "RollingUpdate") {
    auto* rolling = strategy->mutable_rolling_update();
    if (!rolling->has_max_unavailable()) set_int(rolling->mutable_max_unavailable(), 1);
    if (!rolling->has_max_surge()) set_int(rolling->mutable_max_surge(), 0);
  }
  if (!spec->has_revision_history_limit()) spec->set_revision_history_limit(10);
  default_pod_spec(spec->mutable_template_()->mutable_spec());
}

void default_stateful_set(apps::StatefulSet& sts) {
  auto* spec = sts.mutable_spec();
  if (!spec->has_replicas()) spec->set_replicas(1);
  if (spec->pod_management_policy().empty()) spec->set_pod_management_policy("OrderedReady");
  auto* strategy = spec->mutable_update_strategy();
  if (strategy->type().empty()) strategy->set_type("RollingUpdate");
  // Only a rollingUpdate that was given gets its partition (kubectl's status reads a present
  // rollingUpdate as a partitioned roll-out).
  if (strategy->type() == "RollingUpdate" && strategy->has_rolling_update() && !strategy->rolling_update().has_partition())
    strategy->mutable_rolling_update()->set_partition(0);
  if (!spec->has_revision_history_limit()) spec->set_revision_history_limit(10);
  auto* retention = spec->mutable_persistent_volume_claim_retention_policy();
  if (retention->when_deleted().empty()) retention->set_when_deleted("Retain");
  if (retention->when_scaled().empty()) retention->set_when_scaled("Retain");
  for (auto& claim : *spec->mutable_volume_claim_templates())
    if (!claim.spec().has_volume_mode()) claim.mutable_spec()->set_volume_mode("Filesystem");
  default_pod_spec(spec->mutable_template_()->mutable_spec());
}

}  // namespace

bool apply_workload_defaults(google::protobuf::Message& object) {
  const auto* d = object.GetDescriptor();
  if (d == apps::DaemonSet::descriptor()) default_daemon_set(static_cast<apps::DaemonSet&>(object));
  else if (d == apps::StatefulSet::descriptor()) default_stateful_set(static_cast<apps::StatefulSet&>(object));
  else return false;
  return true;
}

}  // namespace skiff::apiserver
