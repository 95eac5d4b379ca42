// ValidateDaemonSet, ValidateStatefulSet and ValidateControllerRevision, the parts kubectl users meet.
#include "workload_validation.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <optional>

#include "field_rules.hpp"
#include "go_values.hpp"
#include "pod_validation.hpp"
#include "skiff/api/apps/v1/workloads.pb.h"
#include "skiff/sdk/selector.hpp"

namespace skiff::apiserver {

void check_non_negative(FieldErrors& errors, const std::string& field, long long value) {
  if (value < 0) errors.invalid(field, std::to_string(value), "must be greater than or equal to 0");
}

// Kubernetes' ValidateReplicaSetSpec/ValidateDeploymentSpec share this: the selector, then
// the template (ValidatePodTemplateSpecForReplicaSet).
void check_selector_and_template(FieldErrors& errors, const api::meta::v1::LabelSelector* selector,
                                 const api::core::v1::PodTemplateSpec& tmpl) {
  std::optional<sdk::LabelSelector> parsed;
  if (!selector) {
    errors.required("spec.selector");
  } else {
    check_labels(errors, "spec.selector.matchLabels", selector->match_labels());
    if (selector->match_labels().empty() && selector->match_expressions().empty())
      errors.invalid("spec.selector", go_label_selector(*selector), "empty selector is invalid for deployment");
    try {
      parsed = sdk::LabelSelector::from_proto(*selector);
    } catch (const sdk::Error&) {
      errors.invalid("spec.selector", go_label_selector(*selector), "invalid label selector");
      return;
    }
  }
  // No selector selects nothing (labels.Nothing()), so it does not match the template either.
  if (!parsed || (!parsed->empty() && !parsed->matches(tmpl.metadata().labels())))
    errors.invalid("spec.template.metadata.labels", go_string_map(tmpl.metadata().labels()),
                   "`selector` does not match template `labels`");
  check_labels(errors, "spec.template.labels", tmpl.metadata().labels());
  check_annotations(errors, "spec.template.annotations", tmpl.metadata().annotations());
  check_pod_spec(errors, "spec.template.spec", tmpl.spec());
  if (tmpl.spec().restart_policy() != "Always")
    errors.unsupported("spec.template.spec.restartPolicy", tmpl.spec().restart_policy(), {"Always"});
  if (tmpl.spec().has_active_deadline_seconds())
    errors.invalid("spec.template.spec.activeDeadlineSeconds", std::to_string(tmpl.spec().active_deadline_seconds()),
                   "activeDeadlineSeconds in ReplicaSet is not Supported");
}

namespace {

namespace apps = api::apps::v1;
namespace core = api::core::v1;
namespace meta = api::meta::v1;
using Differencer = google::protobuf::util::MessageDifferencer;

void check_int_or_percent(FieldErrors& errors, const std::string& field, const meta::IntOrString& v) {
  if (v.type() == 0) check_non_negative(errors, field, v.int_val());
  else for (const auto& m : percent_errors(v.str_val())) errors.invalid(field, go_int_or_string(v), m);
}

bool is_zero(const meta::IntOrString& v) {
  if (v.type() == 0) return v.int_val() == 0;
  return !v.str_val().empty() && std::atoi(v.str_val().c_str()) == 0;
}

void check_daemon_set_strategy(FieldErrors& errors, const apps::DaemonSetUpdateStrategy& strategy) {
  if (strategy.type() == "OnDelete") return;
  if (strategy.type() != "RollingUpdate") {
    errors.unsupported("spec.updateStrategy", strategy.type(), {"OnDelete", "RollingUpdate"});
    return;
  }
  const auto& ru = strategy.rolling_update();
  const std::string at = "spec.updateStrategy.rollingUpdate.";
  check_int_or_percent(errors, at + "maxUnavailable", ru.max_unavailable());
  check_int_or_percent(errors, at + "maxSurge", ru.max_surge());
  if (is_zero(ru.max_unavailable()) && is_zero(ru.max_surge()))
    errors.invalid(at + "maxUnavailable", go_int_or_string(ru.max_unavailable()),
                   "may not be 0 when `maxSurge` is 0");
}

void check_selector_unchanged(FieldErrors& errors, const meta::LabelSelector& before, const meta::LabelSelector& after) {
  if (!Differencer::Equals(before, after)) errors.invalid("spec.selector", go_label_selector(after), "field is immutable");
}

void validate_daemon_set(FieldErrors& errors, const apps::DaemonSet& ds, const apps::DaemonSet* old) {
  const auto& spec = ds.spec();
  check_selector_and_template(errors, spec.has_selector() ? &spec.selector() : nullptr, spec.template_());
  check_daemon_set_strategy(errors, spec.update_strategy());
  check_non_negative(errors, "spec.minReadySeconds", spec.min_ready_seconds());
  if (spec.has_revision_history_limit()) check_non_negative(errors, "spec.revisionHistoryLimit", spec.revision_history_limit());
  if (old) check_selector_unchanged(errors, old->spec().selector(), spec.selector());
}

void check_stateful_set_policies(FieldErrors& errors, const apps::StatefulSetSpec& spec) {
  const auto& policy = spec.pod_management_policy();
  if (policy != "OrderedReady" && policy != "Parallel")
    errors.unsupported("spec.podManagementPolicy", policy, {"OrderedReady", "Parallel"});
  const auto& strategy = spec.update_strategy();
  if (strategy.type() != "RollingUpdate" && strategy.type() != "OnDelete")
    errors.unsupported("spec.updateStrategy", strategy.type(), {"OnDelete", "RollingUpdate"});
  if (strategy.type() == "OnDelete" && strategy.has_rolling_update())
    errors.invalid("spec.updateStrategy.rollingUpdate", "", "only allowed for updateStrategy 'RollingUpdate'");
  if (strategy.rolling_update().has_partition())
    check_non_negative(errors, "spec.updateStrategy.rollingUpdate.partition", strategy.rolling_update().partition());
  const auto& retention = spec.persistent_volume_claim_retention_policy();
  for (const auto& [field, value] : {std::pair{"whenDeleted", retention.when_deleted()}, {"whenScaled", retention.when_scaled()}})
    if (value != "Retain" && value != "Delete")
      errors.unsupported(std::string("spec.persistentVolumeClaimRetentionPolicy.") + field, value, {"Retain", "Delete"});
}

// Kubernetes lets only these change on a StatefulSet.
void check_stateful_set_update(FieldErrors& errors, const apps::StatefulSetSpec& spec, const apps::StatefulSetSpec& old) {
  apps::StatefulSetSpec a = spec, b = old;
  for (auto* s : {&a, &b}) {
    s->clear_replicas();
    s->clear_template_();
    s->clear_update_strategy();
    s->clear_persistent_volume_claim_retention_policy();
    s->clear_min_ready_seconds();
    s->clear_ordinals();
    s->clear_revision_history_limit();
  }
  if (!Differencer::Equals(a, b))
    errors.forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                             "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
                             "'minReadySeconds' are forbidden");
}

// The pods get a volume per claim template, so mounts may name them; as the controller does, a
// claim's volume replaces a template volume of its name (Kubernetes accepts that template too).
core::PodTemplateSpec template_as_pods_get_it(const apps::StatefulSetSpec& spec) {
  core::PodTemplateSpec out = spec.template_();
  for (const auto& claim : spec.volume_claim_templates()) {
    if (claim.metadata().name().empty()) continue;  // reported as the claim template's own error
    core::Volume* volume = nullptr;
    for (auto& existing : *out.mutable_spec()->mutable_volumes())
      if (existing.name() == claim.metadata().name()) volume = &existing;
    if (!volume) volume = out.mutable_spec()->add_volumes();
    volume->Clear();
    volume->set_name(claim.metadata().name());
    volume->mutable_persistent_volume_claim()->set_claim_name(claim.metadata().name());
  }
  return out;
}

void validate_stateful_set(FieldErrors& errors, const apps::StatefulSet& sts, const apps::StatefulSet* old) {
  const auto& spec = sts.spec();
  check_non_negative(errors, "spec.replicas", spec.replicas());
  check_non_negative(errors, "spec.ordinals.start", spec.ordinals().start());
  check_selector_and_template(errors, spec.has_selector() ? &spec.selector() : nullptr, template_as_pods_get_it(spec));
  check_stateful_set_policies(errors, spec);
  check_non_negative(errors, "spec.minReadySeconds", spec.min_ready_seconds());
  if (spec.has_revision_history_limit()) check_non_negative(errors, "spec.revisionHistoryLimit", spec.revision_history_limit());
  for (int i = 0; i < spec.volume_claim_templates_size(); ++i)
    if (spec.volume_claim_templates(i).metadata().name().empty())
      errors.required("spec.volumeClaimTemplates[" + std::to_string(i) + "].metadata.name");
  if (old) check_stateful_set_update(errors, spec, old->spec());
}

void validate_revision(FieldErrors& errors, const apps::ControllerRevision& revision, const apps::ControllerRevision* old) {
  if (!revision.has_data()) errors.required("data");
  check_non_negative(errors, "revision", revision.revision());
  if (old && !Differencer::Equals(old->data(), revision.data())) errors.invalid("data", "", "field is immutable");
}

}  // namespace

bool check_workload(FieldErrors& errors, const google::protobuf::Message& object, const google::protobuf::Message* old) {
  const auto* d = object.GetDescriptor();
  if (d == apps::DaemonSet::descriptor())
    validate_daemon_set(errors, static_cast<const apps::DaemonSet&>(object), static_cast<const apps::DaemonSet*>(old));
  else if (d == apps::StatefulSet::descriptor())
    validate_stateful_set(errors, static_cast<const apps::StatefulSet&>(object), static_cast<const apps::StatefulSet*>(old));
  else if (d == apps::ControllerRevision::descriptor())
    validate_revision(errors, static_cast<const apps::ControllerRevision&>(object),
                      static_cast<const apps::ControllerRevision*>(old));
  else
    return false;
  return true;
}

}  // namespace skiff::apiserver
