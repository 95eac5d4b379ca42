// Kubernetes' printPod, step by step: init containers, then app containers, then deletion.
#include "pod_printer.hpp"

#include <map>
#include <optional>

namespace skiff::apiserver {

namespace {

namespace core = api::core::v1;
using Time = sdk::WallClock::time_point;

bool has_condition(const core::Pod& pod, const std::string& type, const std::string& status) {
  for (const auto& c : pod.status().conditions())
    if (c.type() == type) return c.status() == status;
  return false;
}

// The newest lastState.terminated.finishedAt: when a container last restarted.
void note_restart(const core::ContainerStatus& s, std::optional<Time>& last) {
  if (!s.last_state().has_terminated()) return;
  auto at = sdk::parse_rfc3339(s.last_state().terminated().finished_at());
  if (at && (!last || *at > *last)) last = at;
}

// "Signal:9" / "ExitCode:1" for a container that ended without a reason.
std::string exit_text(const core::ContainerStateTerminated& t) {
  return t.signal() != 0 ? "Signal:" + std::to_string(t.signal()) : "ExitCode:" + std::to_string(t.exit_code());
}

struct Tally {
  std::string reason;
  int ready = 0;
  int restarts = 0;
  std::optional<Time> last_restart;
};

// Init containers in order: the first unfinished one names the status. True while initializing.
bool tally_init_containers(const core::Pod& pod, const std::map<std::string, bool>& sidecar, Tally& tally,
                           Tally& sidecars) {
  const auto& statuses = pod.status().init_container_statuses();
  for (int i = 0; i < statuses.size(); ++i) {
    const auto& s = statuses[i];
    bool is_sidecar = sidecar.count(s.name()) && sidecar.at(s.name());
    tally.restarts += s.restart_count();
    note_restart(s, tally.last_restart);
    if (is_sidecar) {
      sidecars.restarts += s.restart_count();
      note_restart(s, sidecars.last_restart);
    }
    const auto& state = s.state();
    if (state.has_terminated() && state.terminated().exit_code() == 0) continue;
    if (is_sidecar && s.has_started() && s.started()) {
      tally.ready += s.ready();
      continue;
    }
    if (state.has_terminated())
      tally.reason = "Init:" + (state.terminated().reason().empty() ? exit_text(state.terminated()) : state.terminated().reason());
    else if (state.has_waiting() && !state.waiting().reason().empty() && state.waiting().reason() != "PodInitializing")
      tally.reason = "Init:" + state.waiting().reason();
    else
      tally.reason = "Init:" + std::to_string(i) + "/" + std::to_string(pod.spec().init_containers_size());
    return true;
  }
  return false;
}

// App containers, last first: a waiting or terminated one names the status.
void tally_containers(const core::Pod& pod, Tally& tally) {
  bool running = false;
  const auto& statuses = pod.status().container_statuses();
  for (int i = statuses.size() - 1; i >= 0; --i) {
    const auto& s = statuses[i];
    tally.restarts += s.restart_count();
    note_restart(s, tally.last_restart);
    const auto& state = s.state();
    if (state.has_waiting() && !state.waiting().reason().empty()) {
      tally.reason = state.waiting().reason();
    } else if (state.has_terminated()) {
      tally.reason = state.terminated().reason().empty() ? exit_text(state.terminated()) : state.terminated().reason();
    } else if (s.ready() && state.has_running()) {
      running = true;
      ++tally.ready;
    }
  }
  // A finished container next to running ones: the pod is still running.
  if (tally.reason == "Completed" && running) tally.reason = has_condition(pod, "Ready", "True") ? "Running" : "NotReady";
}

}  // namespace

PodSummary summarize_pod(const core::Pod& pod, Time now) {
  std::map<std::string, bool> sidecar;
  int total = pod.spec().containers_size();
  for (const auto& c : pod.spec().init_containers()) {
    sidecar[c.name()] = c.restart_policy() == "Always";
    total += c.restart_policy() == "Always";
  }
  Tally tally, sidecars;
  tally.reason = pod.status().reason().empty() ? pod.status().phase() : pod.status().reason();
  for (const auto& c : pod.status().conditions())
    if (c.type() == "PodScheduled" && c.reason() == "SchedulingGated") tally.reason = "SchedulingGated";

  bool initializing = tally_init_containers(pod, sidecar, tally, sidecars);
  if (!initializing || has_condition(pod, "Initialized", "True")) {
    tally.restarts = sidecars.restarts;
    tally.last_restart = sidecars.last_restart;
    tally_containers(pod, tally);
  }
  const auto& phase = pod.status().phase();
  if (!pod.metadata().deletion_timestamp().empty()) {
    if (pod.status().reason() == "NodeLost") tally.reason = "Unknown";
    else if (phase != "Succeeded" && phase != "Failed") tally.reason = "Terminating";
  }
  PodSummary summary;
  summary.ready = std::to_string(tally.ready) + "/" + std::to_string(total);
  summary.status = tally.reason;
  summary.restarts = std::to_string(tally.restarts);
  if (tally.restarts != 0 && tally.last_restart)
    summary.restarts += " (" + sdk::human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - *tally.last_restart)) +
                        " ago)";
  return summary;
}

}  // namespace skiff::apiserver
