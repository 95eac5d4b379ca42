// A pod's phase and conditions, and its containers' terminated states, from the runtime's view.
#include "pod_status.hpp"

#include "container_attempts.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::kubelet {

namespace core = api::core::v1;
namespace rt = runtime::v1;

namespace {

void set_condition(core::PodStatus& status, const core::PodStatus& old, const std::string& type, bool value,
                   const std::string& reason) {
  auto* c = status.add_conditions();
  c->set_type(type);
  c->set_status(value ? "True" : "False");
  c->set_reason(value ? "" : reason);
  c->set_last_transition_time(sdk::now_rfc3339());
  for (const auto& o : old.conditions())
    if (o.type() == type && o.status() == c->status()) c->set_last_transition_time(o.last_transition_time());
}

}  // namespace

std::string rfc3339_seconds(const std::string& time) { return time.size() < 19 ? time : time.substr(0, 19) + "Z"; }

std::string container_id_of(const std::string& scheme, const std::string& id) {
  return scheme.empty() ? id : scheme + "://" + id;
}

core::ContainerStateTerminated terminated_of(const rt::ContainerStatus& container, const std::string& scheme) {
  core::ContainerStateTerminated t;
  t.set_exit_code(container.exit_code());
  t.set_reason(!container.reason().empty() ? container.reason() : container.exit_code() == 0 ? "Completed" : "Error");
  t.set_message(container.message());
  t.set_started_at(rfc3339_seconds(container.started_at()));
  t.set_finished_at(rfc3339_seconds(container.finished_at()));
  t.set_container_id(container_id_of(scheme, container.id()));
  return t;
}

std::string pod_phase(const google::protobuf::RepeatedPtrField<core::ContainerStatus>& containers,
                      const std::string& restart_policy, bool initialized, bool init_failed) {
  int succeeded = 0, failed = 0, never_started = 0;
  for (const auto& cs : containers) {
    if (cs.state().has_terminated()) {
      int code = cs.state().terminated().exit_code();
      if (!restarts(restart_policy, code)) (code == 0 ? succeeded : failed)++;
    } else if (!cs.state().has_running() && cs.restart_count() == 0 && !cs.last_state().has_terminated()) {
      ++never_started;
    }
  }
  if (init_failed) return "Failed";
  if (!initialized || never_started > 0) return "Pending";
  if (succeeded + failed == containers.size() && !containers.empty()) return failed > 0 ? "Failed" : "Succeeded";
  return "Running";
}

void add_conditions(core::PodStatus& status, const core::PodStatus& old, bool initialized) {
  for (const auto& c : old.conditions())
    if (c.type() == "PodScheduled") *status.add_conditions() = c;
  set_condition(status, old, "Initialized", initialized, "ContainersNotInitialized");
  bool all_ready = true;
  for (const auto& cs : status.container_statuses()) all_ready = all_ready && cs.ready();
  bool ready = initialized && all_ready && status.phase() == "Running";
  set_condition(status, old, "ContainersReady", ready, "ContainersNotReady");
  set_condition(status, old, "Ready", ready, "ContainersNotReady");
}

}  // namespace skiff::kubelet
