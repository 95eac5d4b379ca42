// Setting and clearing node IPAM's NetworkUnavailable condition without needless writes.
#include "network_condition.hpp"

namespace skiff::controllers {

namespace core = api::core::v1;

bool mark_no_cidr_available(core::Node& node, const std::string& message, const std::string& now) {
  auto* conditions = node.mutable_status()->mutable_conditions();
  core::NodeCondition* condition = nullptr;
  for (auto& c : *conditions)
    if (c.type() == kNetworkUnavailable) condition = &c;
  if (condition && condition->status() == "True" && condition->reason() == kNoCidrAvailable &&
      condition->message() == message)
    return false;
  if (!condition) {
    condition = conditions->Add();
    condition->set_type(kNetworkUnavailable);
  }
  if (condition->status() != "True" || condition->last_transition_time().empty()) condition->set_last_transition_time(now);
  condition->set_status("True");
  condition->set_reason(kNoCidrAvailable);
  condition->set_message(message);
  condition->set_last_heartbeat_time(now);
  return true;
}

bool clear_no_cidr_available(core::Node& node) {
  auto* conditions = node.mutable_status()->mutable_conditions();
  for (int i = 0; i < conditions->size(); ++i) {
    const auto& c = conditions->Get(i);
    if (c.type() == kNetworkUnavailable && c.reason() == kNoCidrAvailable) {
      conditions->DeleteSubrange(i, 1);
      return true;
    }
  }
  return false;
}

}  // namespace skiff::controllers
