// PodDisruptionBudget validation, worded as Kubernetes' ValidatePodDisruptionBudgetSpec.
#include "policy_validation.hpp"

#include <cstdlib>

#include "field_rules.hpp"
#include "go_values.hpp"
#include "pod_validation.hpp"
#include "skiff/sdk/selector.hpp"

namespace skiff::apiserver {
namespace {

namespace meta = api::meta::v1;

// ValidatePositiveIntOrPercent and IsNotMoreThan100Percent.
void check_budget_value(FieldErrors& errors, const std::string& field, const meta::IntOrString& v) {
  if (v.type() == 0) {
    if (v.int_val() < 0) errors.invalid(field, std::to_string(v.int_val()), "must be greater than or equal to 0");
    return;
  }
  auto problems = percent_errors(v.str_val());
  for (const auto& m : problems) errors.invalid(field, go_int_or_string(v), m);
  if (problems.empty() && std::atoi(v.str_val().c_str()) > 100)
    errors.invalid(field, go_int_or_string(v), "must not be greater than 100%");
}

}  // namespace

void check_pod_disruption_budget(FieldErrors& errors, const api::policy::v1::PodDisruptionBudget& pdb) {
  const auto& spec = pdb.spec();
  if (spec.has_min_available() && spec.has_max_unavailable())
    errors.invalid("spec", "{minAvailable: " + go_int_or_string(spec.min_available()) +
                               ", maxUnavailable: " + go_int_or_string(spec.max_unavailable()) + "}",
                   "minAvailable and maxUnavailable cannot be both set");
  if (spec.has_min_available()) check_budget_value(errors, "spec.minAvailable", spec.min_available());
  if (spec.has_max_unavailable()) check_budget_value(errors, "spec.maxUnavailable", spec.max_unavailable());
  if (spec.has_selector()) {
    check_labels(errors, "spec.selector.matchLabels", spec.selector().match_labels());
    try {
      sdk::LabelSelector::from_proto(spec.selector());
    } catch (const sdk::Error& e) {
      errors.invalid("spec.selector", go_label_selector(spec.selector()), e.status().message);
    }
  }
  if (spec.has_unhealthy_pod_eviction_policy() && spec.unhealthy_pod_eviction_policy() != "IfHealthyBudget" &&
      spec.unhealthy_pod_eviction_policy() != "AlwaysAllow")
    errors.unsupported("spec.unhealthyPodEvictionPolicy", spec.unhealthy_pod_eviction_policy(),
                       {"AlwaysAllow", "IfHealthyBudget"});
}

}  // namespace skiff::apiserver
