// setCondition for HPA statuses.
#include "hpa_conditions.hpp"

#include "skiff/sdk/time.hpp"

namespace skiff::controllers {

void set_hpa_condition(api::autoscaling::v2::HorizontalPodAutoscalerStatus& status, const std::string& type,
                       const std::string& value, const std::string& reason, const std::string& message, WallTime now) {
  api::autoscaling::v2::HorizontalPodAutoscalerCondition* condition = nullptr;
  for (auto& c : *status.mutable_conditions())
    if (c.type() == type) condition = &c;
  if (!condition) {
    condition = status.add_conditions();
    condition->set_type(type);
  }
  if (condition->status() != value || condition->last_transition_time().empty())
    condition->set_last_transition_time(sdk::format_rfc3339(now));
  condition->set_status(value);
  condition->set_reason(reason);
  condition->set_message(message);
}

}  // namespace skiff::controllers
