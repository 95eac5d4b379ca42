#include "pod_syncer.hpp"

#include <charconv>

#include <google/protobuf/util/message_differencer.h>
#include <spdlog/logger.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "container_spec.hpp"
#include "skiff/sdk/qos.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::kubelet {

namespace core = api::core::v1;
namespace rt = runtime::v1;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

int attempt_of(const rt::ContainerStatus& c) {
  auto it = c.labels().find(kLabelAttempt);
  return it == c.labels().end() ? 0 : std::atoi(it->second.c_str());
}

// The runtime's containers of one spec container, newest attempt last.
std::vector<rt::ContainerStatus> attempts_of(const std::vector<rt::ContainerStatus>& all, const std::string& name) {
  std::vector<rt::ContainerStatus> out;
  for (const auto& c : all)
    if (c.labels().count(kLabelContainer) && c.labels().at(kLabelContainer) == name) out.push_back(c);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return attempt_of(a) < attempt_of(b); });
  return out;
}

bool should_restart(const std::string& policy, const rt::ContainerStatus& c) {
  if (policy == "Never") return false;
  if (policy == "OnFailure") return c.exit_code() != 0;
  return true;  // Always (the default)
}

std::string pull_policy(const core::Container& c) {
  if (!c.image_pull_policy().empty()) return c.image_pull_policy();
  const auto& image = c.image();
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  return !tagged || image.substr(colon + 1) == "latest" ? "Always" : "IfNotPresent";
}

std::int64_t revision_of(const core::Pod& pod) {
  const std::string& rv = pod.metadata().resource_version();
  std::int64_t value = 0;
  std::from_chars(rv.data(), rv.data() + rv.size(), value);
  return value;
}

core::ContainerStateTerminated terminated_of(const rt::ContainerStatus& c) {
  core::ContainerStateTerminated t;
  t.set_exit_code(c.exit_code());
  t.set_reason(c.reason().empty() ? (c.exit_code() == 0 ? "Completed" : "Error") : c.reason());
  t.set_message(c.message());
  t.set_started_at(c.started_at().substr(0, 19).empty() ? "" : c.started_at().substr(0, 19) + "Z");
  t.set_finished_at(c.finished_at().substr(0, 19).empty() ? "" : c.finished_at().substr(0, 19) + "Z");
  t.set_container_id("docker://" + c.id());
  return t;
}

std::string rfc3339_seconds(const std::string& t) { return t.size() < 19 ? t : t.substr(0, 19) + "Z"; }

void set_condition(core::PodStatus& status, const core::PodStatus& old, const std::string& type, bool value,
                   const std::string& reason = "") {
  auto* c = status.add_conditions();
  c->set_type(type);
  c->set_status(value ? "True" : "False");
  c->set_reason(value ? "" : reason);
  c->set_last_transition_time(sdk::now_rfc3339());
  for (const auto& o : old.conditions())
    if (o.type() == type && o.status() == c->status()) c->set_last_transition_time(o.last_transition_time());
}

}  // namespace

PodSyncer::PodSyncer(const sdk::ApiClient& api, RuntimeSet& runtimes, Prober& prober, sdk::EventRecorder& events,
                     SyncOptions options, spdlog::logger& log)
    : api_(api), runtimes_(runtimes), prober_(prober), events_(events), options_(std::move(options)), log_(log) {}

milliseconds PodSyncer::until_allowed(Backoff& b) const {
  auto now = Clock::now();
  return now >= b.next ? milliseconds(0) : std::chrono::duration_cast<milliseconds>(b.next - now);
}

void PodSyncer::advance(Backoff& b) const {
  b.delay = b.delay.count() == 0 ? options_.restart_backoff : std::min(b.delay * 2, options_.restart_backoff_max);
  b.next = Clock::now() + b.delay;
}

bool PodSyncer::start_container(const core::Pod& pod, const core::Container& spec, int attempt,
                                const std::string& sandbox_id, const std::string& ip, Memory& memory) {
  const sdk::RuntimeClient& runtime = runtimes_.for_pod(pod);
  const std::string& name = spec.name();
  auto& pull = memory.pulls[name];
  if (until_allowed(pull).count() > 0) {
    memory.waiting[name] = {"ImagePullBackOff", "Back-off pulling image \"" + spec.image() + "\""};
    return false;
  }
  try {
    auto image = runtime.image(spec.image(), pull_policy(spec));
    if (!image.pulled())
      events_.record(pod, "Normal", "Pulled", "Container image \"" + spec.image() + "\" already present on machine");
    else
      events_.record(pod, "Normal", "Pulled", "Successfully pulled image \"" + spec.image() + "\"");
    pull = {};
  } catch (const sdk::Error& e) {
    advance(pull);
    memory.waiting[name] = {e.status().reason == "ErrImageNeverPull" ? "ErrImageNeverPull" : "ErrImagePull", e.status().message};
    events_.record(pod, "Warning", "Failed", e.status().message);
    return false;
  }
  std::string pod_dir = options_.pods_dir + "/" + pod.metadata().uid();
  std::string id;
  try {
    auto config = container_config(pod, spec, attempt, pod_dir, options_.host_ip, api_);
    id = runtime.create_container(sandbox_id, config, sandbox_config(pod, options_.node));
  } catch (const sdk::Error& e) {
    std::string reason = e.status().reason == "CreateContainerConfigError" ? "CreateContainerConfigError" : "CreateContainerError";
    memory.waiting[name] = {reason, e.status().message};
    events_.record(pod, "Warning", "Failed", "Error: " + e.status().message);
    return false;
  }
  events_.record(pod, "Normal", "Created", "Created container " + name);
  try {
    runtime.start_container(id);
  } catch (const sdk::Error& e) {
    memory.waiting[name] = {"RunContainerError", e.status().message};
    events_.record(pod, "Warning", "Failed", "Error: " + e.status().message);
    return false;
  }
  events_.record(pod, "Normal", "Started", "Started container " + name);
  memory.waiting.erase(name);
  if (spec.lifecycle().has_post_start() &&
      !run_handler(spec.lifecycle().post_start(), spec, ip, id, runtime, std::chrono::seconds(30))) {
    events_.record(pod, "Warning", "FailedPostStartHook", "PostStartHook failed");
    runtime.stop_container(id, 0);
  }
  return true;
}

milliseconds PodSyncer::terminate(const core::Pod& pod) {
  const std::string& uid = pod.metadata().uid();
  const sdk::RuntimeClient* found = nullptr;
  try {
    found = &runtimes_.for_pod(pod);
  } catch (const sdk::Error&) {  // its RuntimeClass is gone: whatever any runtime has of it goes
  }
  if (!found) {
    remove_leftovers(uid);
    return finish_deletion(pod);
  }
  const sdk::RuntimeClient& runtime = *found;
  std::int64_t grace = pod.metadata().has_deletion_grace_period_seconds() ? pod.metadata().deletion_grace_period_seconds()
                       : pod.spec().has_termination_grace_period_seconds() ? pod.spec().termination_grace_period_seconds()
                                                                            : 30;
  auto containers = runtime.list_containers({{kLabelPodUid, uid}});
  std::string ip;
  for (const auto& s : runtime.list_sandboxes({{kLabelPodUid, uid}}))
    if (s.state() == "READY") ip = s.ip();
  // Every running container at once: preStop, then SIGTERM, SIGKILL when the grace ends.
  std::vector<std::thread> stopping;
  auto deadline = Clock::now() + std::chrono::seconds(grace);
  for (const auto& c : containers) {
    if (c.state() != "RUNNING") continue;
    const core::Container* spec = nullptr;
    for (const auto& s : pod.spec().containers())
      if (c.labels().count(kLabelContainer) && s.name() == c.labels().at(kLabelContainer)) spec = &s;
    stopping.emplace_back([this, c, spec, ip, deadline, &pod, &runtime] {
      if (spec && spec->lifecycle().has_pre_stop()) {
        auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now());
        run_handler(spec->lifecycle().pre_stop(), *spec, ip, c.id(), runtime, std::max(left, std::chrono::seconds(1)));
      }
      auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now());
      try {
        events_.record(pod, "Normal", "Killing", "Stopping container " + c.name());
        runtime.stop_container(c.id(), std::max<std::int64_t>(0, left.count()));
      } catch (const sdk::Error& e) {
        log_.warn("stopping {}: {}", c.id(), e.status().message);
      }
    });
  }
  for (auto& t : stopping) t.join();
  remove_leftovers(uid);
  return finish_deletion(pod);
}

// The containers are gone: the deletion can complete.
milliseconds PodSyncer::finish_deletion(const core::Pod& pod) {
  const std::string& uid = pod.metadata().uid();
  sdk::ApiDeleteOptions now;
  now.grace_period_seconds = 0;
  now.precondition_uid = uid;
  try {
    api_.erase<core::Pod>(pod.metadata().namespace_(), pod.metadata().name(), now);
  } catch (const sdk::Error& e) {
    if (e.status().code != 404 && e.status().code != 409) throw;
  }
  return milliseconds(0);
}

void PodSyncer::remove_leftovers(const std::string& uid) {
  for (const sdk::RuntimeClient* runtime : runtimes_.all()) {
    try {
      for (const auto& c : runtime->list_containers({{kLabelPodUid, uid}})) {
        try {
          runtime->remove_container(c.id());
        } catch (const sdk::Error& e) {
          if (e.status().code != 404) log_.warn("removing container {}: {}", c.id(), e.status().message);
        }
      }
      for (const auto& s : runtime->list_sandboxes({{kLabelPodUid, uid}})) {
        try {
          runtime->remove_sandbox(s.id());
        } catch (const sdk::Error& e) {
          if (e.status().code != 404) log_.warn("removing sandbox {}: {}", s.id(), e.status().message);
        }
      }
    } catch (const sdk::Error& e) {
      if (e.status().code != 503 || runtime->handler().empty()) throw;  // a handler this node does not serve
    }
  }
  prober_.forget(uid);
  std::error_code ec;
  std::filesystem::remove_all(options_.pods_dir + "/" + uid, ec);
  std::lock_guard lock(mutex_);
  memory_.erase(uid);
}

milliseconds PodSyncer::sync(const core::Pod& pod) {
  const std::string& uid = pod.metadata().uid();
  if (!pod.metadata().deletion_timestamp().empty()) return terminate(pod);
  const sdk::RuntimeClient* found = nullptr;
  try {
    found = &runtimes_.for_pod(pod);
  } catch (const sdk::Error& e) {
    events_.record(pod, "Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: " + e.status().message);
    return milliseconds(5000);  // the RuntimeClass may be created yet
  }
  const sdk::RuntimeClient& runtime = *found;
  const std::string& phase = pod.status().phase();
  std::vector<rt::ContainerStatus> containers = runtime.list_containers({{kLabelPodUid, uid}}, "", true);
  std::map<std::string, std::string> seen_at_start;  // container id -> state
  for (const auto& c : containers) seen_at_start[c.id()] = c.state();
  if (phase == "Succeeded" || phase == "Failed") {
    for (const auto& c : containers)
      if (c.state() == "RUNNING") runtime.stop_container(c.id(), 10);
    return milliseconds(0);
  }

  Memory* memory;
  {
    std::lock_guard lock(mutex_);
    memory = &memory_[uid];
    if (memory->start_time.empty()) memory->start_time = pod.status().start_time().empty() ? sdk::now_rfc3339() : pod.status().start_time();
  }
  milliseconds again{0};
  auto soon = [&](milliseconds d) {
    if (d.count() > 0 && (again.count() == 0 || d < again)) again = d;
  };
  std::string policy = pod.spec().restart_policy().empty() ? "Always" : pod.spec().restart_policy();

  // The sandbox: one READY, or a new one (its containers go with a dead one).
  std::string sandbox_id, ip;
  std::string sandbox_problem;
  for (const auto& s : runtime.list_sandboxes({{kLabelPodUid, uid}})) {
    if (s.state() == "READY" && sandbox_id.empty()) {
      sandbox_id = s.id();
      ip = s.ip();
    } else {
      runtime.remove_sandbox(s.id());
      containers.erase(std::remove_if(containers.begin(), containers.end(),
                                      [&](const auto& c) { return c.sandbox_id() == s.id(); }),
                       containers.end());
    }
  }
  if (sandbox_id.empty()) {
    try {
      prepare_volumes(pod, options_.pods_dir + "/" + uid, api_);
      sandbox_id = runtime.run_sandbox(sandbox_config(pod, options_.node), &ip);
      containers.clear();  // a new sandbox: the old containers are gone with the old one
    } catch (const sdk::Error& e) {
      sandbox_problem = e.status().message;
      events_.record(pod, "Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: " + sandbox_problem);
      soon(milliseconds(5000));
    }
  }
  if (pod.spec().host_network() || ip.empty()) ip = pod.spec().host_network() ? options_.host_ip : ip;

  // Init containers, one after another; the app containers wait for all of them.
  bool initialized = !sandbox_id.empty(), init_failed = false;
  for (const auto& spec : pod.spec().init_containers()) {
    if (!initialized) break;
    auto attempts = attempts_of(containers, spec.name());
    if (!attempts.empty() && attempts.back().state() == "EXITED" && attempts.back().exit_code() == 0) continue;
    initialized = false;
    if (!attempts.empty() && attempts.back().state() == "RUNNING") break;
    if (!attempts.empty() && attempts.back().state() == "EXITED") {
      if (policy == "Never") {
        init_failed = true;
        break;
      }
      auto& backoff = memory->restarts[spec.name()];
      if (auto wait = until_allowed(backoff); wait.count() > 0) {
        memory->waiting[spec.name()] = {"CrashLoopBackOff", "back-off restarting failed container"};
        soon(wait);
        break;
      }
      advance(backoff);
    }
    start_container(pod, spec, attempts.empty() ? 0 : attempt_of(attempts.back()) + 1, sandbox_id, ip, *memory);
    break;
  }

  // App containers.
  if (initialized) {
    for (const auto& spec : pod.spec().containers()) {
      auto attempts = attempts_of(containers, spec.name());
      if (attempts.empty()) {
        // Gone from the runtime (removed by hand, say) after it ran: count it as a restart.
        int attempt = 0;
        for (const auto& cs : pod.status().container_statuses())
          if (cs.name() == spec.name() && !cs.container_id().empty()) attempt = cs.restart_count() + 1;
        start_container(pod, spec, attempt, sandbox_id, ip, *memory);
        soon(milliseconds(memory->waiting.count(spec.name()) ? 2000 : 0));
        continue;
      }
      auto& latest = attempts.back();
      if (latest.state() == "RUNNING") {
        if (prober_.failed(uid, spec.name(), latest.id())) {
          events_.record(pod, "Normal", "Killing", "Container " + spec.name() + " failed liveness probe, will be restarted");
          runtime.stop_container(latest.id(), pod.spec().has_termination_grace_period_seconds()
                                                   ? pod.spec().termination_grace_period_seconds()
                                                   : 30);
          soon(milliseconds(100));
          continue;
        }
        continue;
      }
      if (latest.state() == "CREATED") {  // created but never started (an earlier sync failed half way)
        runtime.remove_container(latest.id());
        soon(milliseconds(100));
        continue;
      }
      if (!should_restart(policy, latest)) continue;
      auto& backoff = memory->restarts[spec.name()];
      // A container that ran long enough starts its back-off over.
      auto started = sdk::parse_rfc3339(rfc3339_seconds(latest.started_at()));
      auto finished = sdk::parse_rfc3339(rfc3339_seconds(latest.finished_at()));
      if (started && finished && *finished - *started > options_.restart_backoff_max * 2) backoff = {};
      if (auto wait = until_allowed(backoff); wait.count() > 0) {
        memory->waiting[spec.name()] = {"CrashLoopBackOff", "back-off " + std::to_string(backoff.delay.count() / 1000) +
                                                                "s restarting failed container=" + spec.name() + " pod=" +
                                                                pod.metadata().name() + "_" + pod.metadata().namespace_() +
                                                                "(" + uid + ")"};
        events_.record(pod, "Warning", "BackOff", "Back-off restarting failed container " + spec.name() + " in pod " +
                                                      pod.metadata().name() + "_" + pod.metadata().namespace_() + "(" + uid + ")");
        soon(wait);
        continue;
      }
      advance(backoff);
      int next = attempt_of(latest) + 1;
      if (start_container(pod, spec, next, sandbox_id, ip, *memory)) {
        // Keep the attempt before (for `kubectl logs --previous`), drop older ones.
        for (const auto& old : attempts)
          if (attempt_of(old) < next - 1) runtime.remove_container(old.id());
      }
    }
  }

  // Read back what runs now, and write the status.
  containers = runtime.list_containers({{kLabelPodUid, uid}}, "", true);
  // A container that exited while this sync ran (one it just started, say) was not acted on,
  // and the next relist would find nothing new: sync again for it.
  for (const auto& c : containers) {
    auto before = seen_at_start.find(c.id());
    if (c.state() == "EXITED" && (before == seen_at_start.end() || before->second != "EXITED")) soon(milliseconds(1));
  }
  // Probes follow the app containers running now (those just started included).
  std::vector<Prober::Target> probed;
  for (const auto& spec : pod.spec().containers()) {
    auto attempts = attempts_of(containers, spec.name());
    if (attempts.empty() || attempts.back().state() != "RUNNING") continue;
    const auto& latest = attempts.back();
    auto started = sdk::parse_rfc3339(rfc3339_seconds(latest.started_at())).value_or(sdk::WallClock::now());
    probed.push_back({latest.id(), &spec, started});
  }
  prober_.track(uid, ip, runtime, probed);
  core::PodStatus status;
  // What the status is now: the pod in hand may predate this kubelet's last write (its echo
  // not here yet); then that write is the truth to compare with — else a change back would
  // look like no change, and the late echo, taken for ours, would hide it for good.
  core::PodStatus last_written;
  {
    std::lock_guard lock(mutex_);
    if (memory->written_revision > revision_of(pod)) last_written.ParseFromString(memory->written_status);
    else memory->written_revision = 0;
  }
  const core::PodStatus& old = last_written.ByteSizeLong() > 0 ? last_written : pod.status();
  auto container_status = [&](const core::Container& spec, bool is_init) {
    core::ContainerStatus cs;
    cs.set_name(spec.name());
    cs.set_image(spec.image());
    auto attempts = attempts_of(containers, spec.name());
    if (attempts.empty()) {
      auto w = memory->waiting.count(spec.name()) ? memory->waiting[spec.name()]
                                                  : std::pair<std::string, std::string>{is_init ? "PodInitializing" : "ContainerCreating", ""};
      if (!sandbox_problem.empty()) w = {"ContainerCreating", ""};
      cs.mutable_state()->mutable_waiting()->set_reason(w.first);
      cs.mutable_state()->mutable_waiting()->set_message(w.second);
      cs.set_started(false);
      return cs;
    }
    const auto& latest = attempts.back();
    cs.set_restart_count(attempt_of(latest));
    cs.set_image_id(latest.image_ref());
    cs.set_container_id("docker://" + latest.id());
    if (attempts.size() >= 2) *cs.mutable_last_state()->mutable_terminated() = terminated_of(attempts[attempts.size() - 2]);
    if (latest.state() == "RUNNING") {
      cs.mutable_state()->mutable_running()->set_started_at(rfc3339_seconds(latest.started_at()));
      cs.set_started(prober_.started(uid, spec, latest.id()));
      cs.set_ready(!is_init && prober_.ready(uid, spec, latest.id()));
    } else if (latest.state() == "EXITED") {
      auto w = memory->waiting.find(spec.name());
      if (w != memory->waiting.end() && w->second.first == "CrashLoopBackOff" && should_restart(policy, latest)) {
        cs.mutable_state()->mutable_waiting()->set_reason(w->second.first);
        cs.mutable_state()->mutable_waiting()->set_message(w->second.second);
        *cs.mutable_last_state()->mutable_terminated() = terminated_of(latest);
      } else {
        *cs.mutable_state()->mutable_terminated() = terminated_of(latest);
      }
      cs.set_started(false);
      cs.set_ready(is_init && latest.exit_code() == 0);
    } else {
      cs.mutable_state()->mutable_waiting()->set_reason("ContainerCreating");
      cs.set_started(false);
    }
    return cs;
  };
  for (const auto& spec : pod.spec().init_containers()) *status.add_init_container_statuses() = container_status(spec, true);
  int running = 0, succeeded = 0, failed = 0, never_started = 0;
  bool all_ready = true;
  for (const auto& spec : pod.spec().containers()) {
    auto cs = container_status(spec, false);
    all_ready = all_ready && cs.ready();
    if (cs.state().has_running()) ++running;
    else if (cs.state().has_terminated()) {
      // One the restart policy brings back keeps the pod Running (as Kubernetes' getPhase).
      int code = cs.state().terminated().exit_code();
      if (policy == "Always" || (policy == "OnFailure" && code != 0)) ++running;
      else (code == 0 ? succeeded : failed)++;
    }
    else if (cs.restart_count() == 0 && !cs.last_state().has_terminated()) ++never_started;
    *status.add_container_statuses() = cs;
  }
  int total = pod.spec().containers_size();
  if (init_failed) status.set_phase("Failed");
  else if (!initialized || never_started > 0) status.set_phase("Pending");
  else if (succeeded + failed == total && total > 0) status.set_phase(failed > 0 ? "Failed" : "Succeeded");
  else status.set_phase("Running");

  for (const auto& c : old.conditions())
    if (c.type() == "PodScheduled") *status.add_conditions() = c;
  set_condition(status, old, "Initialized", initialized, "ContainersNotInitialized");
  bool ready = initialized && all_ready && status.phase() == "Running";
  set_condition(status, old, "ContainersReady", ready, "ContainersNotReady");
  set_condition(status, old, "Ready", ready, "ContainersNotReady");
  status.set_host_ip(options_.host_ip);
  status.add_host_ips()->set_ip(options_.host_ip);
  if (!ip.empty()) {
    status.set_pod_ip(ip);
    status.add_pod_ips()->set_ip(ip);
  }
  status.set_start_time(memory->start_time);
  status.set_qos_class(sdk::qos_class(pod.spec()));
  {
    std::vector<std::string> entries;
    for (const auto& c : containers) entries.push_back(c.id() + ":" + c.state());
    if (!sandbox_id.empty()) entries.push_back(sandbox_id + ":READY");
    std::lock_guard lock(mutex_);
    memory->signature = kubelet::runtime_signature(std::move(entries));
  }
  if (!google::protobuf::util::MessageDifferencer::Equals(status, old)) {
    core::Pod next = pod;
    *next.mutable_status() = status;
    std::string serialized = status.SerializeAsString();
    {
      std::lock_guard lock(mutex_);
      memory->expected_echo = serialized;  // before the write: its echo may beat the reply
    }
    try {
      auto written = api_.update(next, "status");
      std::lock_guard lock(mutex_);
      memory->written_status = std::move(serialized);
      memory->written_revision = revision_of(written);
    } catch (const sdk::Error& e) {
      if (e.status().code == 409) soon(milliseconds(50));  // it changed meanwhile: the informer brings it
      else if (e.status().code != 404) throw;
    }
  }
  return again;
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
