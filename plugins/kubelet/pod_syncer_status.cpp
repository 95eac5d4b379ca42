// The pod syncer's last phase: the pod's status from what the runtime has and the probes
// say, written when it changed — and what it remembers of that write.
#include <charconv>

#include <google/protobuf/util/message_differencer.h>

#include "container_spec.hpp"
#include "pod_status.hpp"
#include "pod_sync_pass.hpp"
#include "skiff/sdk/ephemeral_container.hpp"
#include "skiff/sdk/qos.hpp"

namespace skiff::kubelet {

namespace core = api::core::v1;
namespace rt = runtime::v1;
using std::chrono::milliseconds;

namespace {

std::int64_t revision_of(const core::Pod& pod) {
  const std::string& rv = pod.metadata().resource_version();
  std::int64_t value = 0;
  std::from_chars(rv.data(), rv.data() + rv.size(), value);
  return value;
}

void set_waiting(core::ContainerStatus& status, const std::string& reason, const std::string& message = "") {
  status.mutable_state()->mutable_waiting()->set_reason(reason);
  status.mutable_state()->mutable_waiting()->set_message(message);
}

}  // namespace

// What the status is now: the pod in hand may predate this kubelet's last write (its echo
// not here yet); then that write is the truth to compare with — else a change back would
// look like no change, and the late echo, taken for ours, would hide it for good.
core::PodStatus PodSyncer::status_to_compare(Pass& pass) {
  std::lock_guard lock(mutex_);
  if (pass.memory.written_revision > revision_of(pass.pod)) {
    core::PodStatus last_written;
    last_written.ParseFromString(pass.memory.written_status);
    if (last_written.ByteSizeLong() > 0) return last_written;
  } else {
    pass.memory.written_revision = 0;
  }
  return pass.pod.status();
}

core::PodStatus PodSyncer::status_of(const Pass& pass, const core::PodStatus& old) const {
  core::PodStatus status;
  for (const auto& spec : pass.pod.spec().init_containers())
    *status.add_init_container_statuses() = container_status(pass, spec, true);
  for (const auto& spec : pass.pod.spec().containers())
    *status.add_container_statuses() = container_status(pass, spec, false);
  for (const auto& ephemeral : pass.pod.spec().ephemeral_containers())
    *status.add_ephemeral_container_statuses() = ephemeral_status(pass, sdk::as_container(ephemeral));
  status.set_phase(pod_phase(status.container_statuses(), pass.policy, pass.initialized, pass.init_failed));
  add_conditions(status, old, pass.initialized);
  status.set_host_ip(options_.host_ip);
  status.add_host_ips()->set_ip(options_.host_ip);
  if (!pass.ip.empty()) {
    status.set_pod_ip(pass.ip);
    status.add_pod_ips()->set_ip(pass.ip);
  }
  status.set_start_time(pass.memory.start_time);
  status.set_qos_class(sdk::qos_class(pass.pod.spec()));
  return status;
}

core::ContainerStatus PodSyncer::container_status(const Pass& pass, const core::Container& spec, bool is_init) const {
  core::ContainerStatus cs;
  cs.set_name(spec.name());
  cs.set_image(spec.image());
  cs.set_started(false);
  auto attempts = attempts_of(pass.containers, spec.name());
  if (attempts.empty()) {
    auto why = pass.memory.waiting.find(spec.name());
    if (!pass.sandbox_problem.empty()) set_waiting(cs, "ContainerCreating");
    else if (why != pass.memory.waiting.end()) set_waiting(cs, why->second.first, why->second.second);
    else set_waiting(cs, is_init ? "PodInitializing" : "ContainerCreating");
    return cs;
  }
  const auto& latest = attempts.back();
  cs.set_restart_count(attempt_of(latest));
  cs.set_image_id(latest.image_ref());
  cs.set_container_id(container_id_of(pass.id_scheme, latest.id()));
  if (attempts.size() >= 2)
    *cs.mutable_last_state()->mutable_terminated() = terminated_of(attempts[attempts.size() - 2], pass.id_scheme);
  if (latest.state() == "RUNNING") {
    cs.mutable_state()->mutable_running()->set_started_at(rfc3339_seconds(latest.started_at()));
    cs.set_started(prober_.started(pass.uid(), spec, latest.id()));
    cs.set_ready(!is_init && prober_.ready(pass.uid(), spec, latest.id()));
  } else if (latest.state() == "EXITED") {
    set_exited(pass, spec, latest, cs);
    cs.set_ready(is_init && latest.exit_code() == 0);
  } else {
    cs.mutable_state()->mutable_waiting()->set_reason("ContainerCreating");
  }
  return cs;
}

// An ephemeral container's: as an app container's, without probes (never ready), and
// terminated for good once it exited.
core::ContainerStatus PodSyncer::ephemeral_status(const Pass& pass, const core::Container& spec) const {
  auto attempts = attempts_of(pass.containers, spec.name());
  if (attempts.empty()) {
    // Ran before and gone from the runtime (removed by hand): keep what was reported.
    for (const auto& cs : pass.pod.status().ephemeral_container_statuses())
      if (cs.name() == spec.name() && !cs.container_id().empty()) return cs;
    return container_status(pass, spec, false);
  }
  core::ContainerStatus cs = container_status(pass, spec, false);
  cs.set_ready(false);
  if (attempts.back().state() == "EXITED") {
    cs.clear_state();
    *cs.mutable_state()->mutable_terminated() = terminated_of(attempts.back(), pass.id_scheme);
  }
  return cs;
}

// An exited container waiting out its back-off shows as waiting (CrashLoopBackOff), its end
// as the last state; otherwise as terminated.
void PodSyncer::set_exited(const Pass& pass, const core::Container& spec, const rt::ContainerStatus& latest,
                           core::ContainerStatus& cs) const {
  auto why = pass.memory.waiting.find(spec.name());
  if (why != pass.memory.waiting.end() && why->second.first == "CrashLoopBackOff" &&
      restarts(pass.policy, latest.exit_code())) {
    set_waiting(cs, why->second.first, why->second.second);
    *cs.mutable_last_state()->mutable_terminated() = terminated_of(latest, pass.id_scheme);
  } else {
    *cs.mutable_state()->mutable_terminated() = terminated_of(latest, pass.id_scheme);
  }
}

void PodSyncer::remember_signature(const Pass& pass) {
  std::vector<std::string> entries;
  for (const auto& c : pass.containers) entries.push_back(c.id() + ":" + c.state());
  if (!pass.sandbox_id.empty()) entries.push_back(pass.sandbox_id + ":READY");
  std::lock_guard lock(mutex_);
  pass.memory.signature = kubelet::runtime_signature(std::move(entries));
}

void PodSyncer::write_status(Pass& pass, const core::PodStatus& status, const core::PodStatus& old) {
  if (google::protobuf::util::MessageDifferencer::Equals(status, old)) return;
  core::Pod next = pass.pod;
  *next.mutable_status() = status;
  std::string serialized = status.SerializeAsString();
  {
    std::lock_guard lock(mutex_);
    pass.memory.expected_echo = serialized;  // before the write: its echo may beat the reply
  }
  try {
    auto written = statuses_.update(next);
    std::lock_guard lock(mutex_);
    pass.memory.written_status = std::move(serialized);
    pass.memory.written_revision = revision_of(written);
  } catch (const sdk::Error& e) {
    if (e.status().code == 409) pass.soon(milliseconds(50));  // it changed meanwhile: the informer brings it
    else if (e.status().code != 404) throw;
  }
}

std::string runtime_signature(std::vector<std::string> entries) {
  std::sort(entries.begin(), entries.end());
  std::string out;
  for (const auto& e : entries) out += e + ";";
  return out;
}

bool PodSyncer::wrote(const std::string& uid, const core::PodStatus& status) const {
  std::lock_guard lock(mutex_);
  auto it = memory_.find(uid);
  return it != memory_.end() && !it->second.expected_echo.empty() &&
         it->second.expected_echo == status.SerializeAsString();
}

std::string PodSyncer::runtime_signature(const std::string& uid) const {
  std::lock_guard lock(mutex_);
  auto it = memory_.find(uid);
  return it == memory_.end() ? "" : it->second.signature;
}

}  // namespace skiff::kubelet
