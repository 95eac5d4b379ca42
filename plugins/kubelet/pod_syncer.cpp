// One pod's sync, phase by phase: sandbox, init containers, app containers and their
// restarts, probes; then its status (pod_syncer_status.cpp).
#include "pod_syncer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <spdlog/logger.h>

#include "container_spec.hpp"
#include "pod_status.hpp"
#include "pod_sync_pass.hpp"
#include "skiff/sdk/ephemeral_container.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::kubelet {

namespace core = api::core::v1;
namespace rt = runtime::v1;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

bool finished(const core::Pod& pod) { return pod.status().phase() == "Succeeded" || pod.status().phase() == "Failed"; }

// "name_namespace(uid)", as Kubernetes names a pod in its back-off messages.
std::string pod_ref(const core::Pod& pod) {
  return pod.metadata().name() + "_" + pod.metadata().namespace_() + "(" + pod.metadata().uid() + ")";
}

// The pod's labels and annotations as one comparable string: sorted (map order is not stable),
// each text length-prefixed (an annotation may hold any character).
std::string metadata_signature(const core::Pod& pod) {
  std::string out;
  auto add = [&](const std::string& text) { out += std::to_string(text.size()) + ':' + text; };
  for (const auto* map : {&pod.metadata().labels(), &pod.metadata().annotations()}) {
    for (const auto& [key, value] : std::map<std::string, std::string>(map->begin(), map->end())) {
      add(key);
      add(value);
    }
    out += ';';
  }
  return out;
}

}  // namespace

PodSyncer::PodSyncer(const sdk::ApiClient& api, RuntimeSet& runtimes, Prober& prober, sdk::EventRecorder& events,
                     SyncOptions options, spdlog::logger& log)
    : api_(api), runtimes_(runtimes), prober_(prober), events_(events), options_(std::move(options)), log_(log) {}

milliseconds PodSyncer::sync(const core::Pod& pod) {
  if (!pod.metadata().deletion_timestamp().empty()) return terminate(pod);
  const sdk::RuntimeClient* runtime = runtime_of(pod);
  if (!runtime) return milliseconds(5000);  // the RuntimeClass may be created yet
  auto containers = runtime->list_containers({{kLabelPodUid, pod.metadata().uid()}}, "", true);
  if (finished(pod)) {
    for (const auto& c : containers)
      if (c.state() == "RUNNING") runtime->stop_container(c.id(), 10);
    return milliseconds(0);
  }
  Pass pass(pod, *runtime, runtimes_.id_scheme(*runtime), memory_of(pod), std::move(containers));
  ensure_sandbox(pass);
  refresh_volumes(pass);
  run_init_containers(pass);
  if (pass.initialized) run_app_containers(pass);
  if (pass.initialized) run_ephemeral_containers(pass);
  read_back(pass);
  track_probes(pass);
  core::PodStatus old = status_to_compare(pass);
  core::PodStatus status = status_of(pass, old);
  remember_signature(pass);
  write_status(pass, status, old);
  return pass.again;
}

// The pod's runtime; none (and an event saying why) when its RuntimeClass is missing.
const sdk::RuntimeClient* PodSyncer::runtime_of(const core::Pod& pod) {
  try {
    return &runtimes_.for_pod(pod);
  } catch (const sdk::Error& e) {
    events_.record(pod, "Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: " + e.status().message);
    return nullptr;
  }
}

PodSyncer::Memory& PodSyncer::memory_of(const core::Pod& pod) {
  std::lock_guard lock(mutex_);
  Memory& memory = memory_[pod.metadata().uid()];
  if (memory.start_time.empty())
    memory.start_time = pod.status().start_time().empty() ? sdk::now_rfc3339() : pod.status().start_time();
  return memory;
}

// The sandbox: one READY, or a new one (its containers go with a dead one).
void PodSyncer::ensure_sandbox(Pass& pass) {
  for (const auto& s : pass.runtime.list_sandboxes({{kLabelPodUid, pass.uid()}})) {
    if (s.state() == "READY" && pass.sandbox_id.empty()) {
      pass.sandbox_id = s.id();
      pass.ip = s.ip();
    } else {
      pass.runtime.remove_sandbox(s.id());
      std::erase_if(pass.containers, [&](const auto& c) { return c.sandbox_id() == s.id(); });
    }
  }
  if (pass.sandbox_id.empty()) run_sandbox(pass);
  if (pass.pod.spec().host_network()) pass.ip = options_.host_ip;
}

void PodSyncer::run_sandbox(Pass& pass) {
  try {
    prepare_volumes(pass.pod, pod_dir(pass.uid()), api_, downward_context(pass));
    pass.memory.projected_metadata = metadata_signature(pass.pod);
    auto config = sandbox_config(pass.pod, options_.node);
    set_sandbox_dns(config, write_resolv_conf(pass));
    pass.sandbox_id = pass.runtime.run_sandbox(config, &pass.ip);
    pass.containers.clear();  // a new sandbox: the old containers are gone with the old one
  } catch (const sdk::Error& e) {
    pass.sandbox_problem = e.status().message;
    if (e.status().reason == "FailedMount")  // the kubelet's volume manager's words for a volume it cannot mount
      events_.record(pass.pod, "Warning", "FailedMount", "Unable to attach or mount volumes: " + pass.sandbox_problem);
    else
      events_.record(pass.pod, "Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: " + pass.sandbox_problem);
    pass.soon(milliseconds(5000));
  }
}

// The pod's labels or annotations changed since its downwardAPI files were written (or this
// kubelet has not written them yet): write them again, as the kubelet's volume manager does.
// Its service account tokens are due: renew them (the files change before the old ones expire).
void PodSyncer::refresh_volumes(Pass& pass) {
  if (pass.sandbox_id.empty()) return;
  std::string signature = metadata_signature(pass.pod);
  auto due = tokens_.until_due(pass.uid());
  bool tokens_due = due && due->count() == 0;
  if (signature == pass.memory.projected_metadata && !tokens_due) {
    if (due) pass.soon(*due);
    return;
  }
  try {
    if (refresh_pod_volumes(pass.pod, pod_dir(pass.uid()), api_, downward_context(pass), tokens_due))
      log_.debug("pod {}: downwardAPI or token files written again", pod_ref(pass.pod));
    pass.memory.projected_metadata = signature;
    if (auto next = tokens_.until_due(pass.uid())) pass.soon(std::max(*next, milliseconds(1000)));
  } catch (const sdk::Error& e) {
    events_.record(pass.pod, "Warning", "FailedMount", "MountVolume.SetUp failed: " + e.status().message);
    pass.soon(milliseconds(5000));
  }
}

// Init containers, one after another; the app containers wait for all of them.
void PodSyncer::run_init_containers(Pass& pass) {
  pass.initialized = !pass.sandbox_id.empty();
  if (!pass.initialized) return;
  for (const auto& spec : pass.pod.spec().init_containers()) {
    auto attempts = attempts_of(pass.containers, spec.name());
    if (!attempts.empty() && attempts.back().state() == "EXITED" && attempts.back().exit_code() == 0) continue;
    pass.initialized = false;
    next_init_step(pass, spec, attempts);
    return;
  }
}

// The first init container not done: wait while it runs; after a failure, fail the pod
// (restartPolicy Never) or start it again once its back-off allows; else start it.
void PodSyncer::next_init_step(Pass& pass, const core::Container& spec, const std::vector<rt::ContainerStatus>& attempts) {
  if (!attempts.empty() && attempts.back().state() == "RUNNING") return;
  if (!attempts.empty() && attempts.back().state() == "EXITED") {
    if (pass.policy == "Never") {
      pass.init_failed = true;
      return;
    }
    auto& backoff = pass.memory.restarts[spec.name()];
    if (auto wait = until_allowed(backoff); wait.count() > 0) {
      pass.memory.waiting[spec.name()] = {"CrashLoopBackOff", "back-off restarting failed container"};
      pass.soon(wait);
      return;
    }
    advance(backoff);
  }
  start_container(pass, spec, attempts.empty() ? 0 : attempt_of(attempts.back()) + 1);
}

void PodSyncer::run_app_containers(Pass& pass) {
  for (const auto& spec : pass.pod.spec().containers()) {
    auto attempts = attempts_of(pass.containers, spec.name());
    if (attempts.empty()) {
      start_missing(pass, spec);
    } else if (attempts.back().state() == "RUNNING") {
      kill_if_unhealthy(pass, spec, attempts.back());
    } else if (attempts.back().state() == "CREATED") {  // never started (an earlier sync failed half way)
      pass.runtime.remove_container(attempts.back().id());
      pass.soon(milliseconds(100));
    } else if (restarts(pass.policy, attempts.back().exit_code())) {
      restart_container(pass, spec, attempts);
    }
  }
}

// A container the runtime does not have: never started, or gone (removed by hand, say)
// after it ran — then it counts as a restart.
void PodSyncer::start_missing(Pass& pass, const core::Container& spec) {
  int attempt = 0;
  for (const auto& cs : pass.pod.status().container_statuses())
    if (cs.name() == spec.name() && !cs.container_id().empty()) attempt = cs.restart_count() + 1;
  start_container(pass, spec, attempt);
  pass.soon(milliseconds(pass.memory.waiting.count(spec.name()) ? 2000 : 0));
}

// Ephemeral containers (kubectl debug) start once and are never restarted: one the runtime
// has, or had (its status names a container), is left alone. With a target, it joins that
// container's PID namespace — it waits while the target is not running.
void PodSyncer::run_ephemeral_containers(Pass& pass) {
  for (const auto& ephemeral : pass.pod.spec().ephemeral_containers()) {
    if (!attempts_of(pass.containers, ephemeral.name()).empty()) continue;
    bool ran = false;
    for (const auto& cs : pass.pod.status().ephemeral_container_statuses())
      ran = ran || (cs.name() == ephemeral.name() && !cs.container_id().empty());
    if (ran) continue;
    std::string target_id;
    if (!ephemeral.target_container_name().empty()) {
      target_id = running_id_of(pass, ephemeral.target_container_name());
      if (target_id.empty()) {
        pass.memory.waiting[ephemeral.name()] = {"ContainerCreating", "waiting for target container " +
                                                                          ephemeral.target_container_name() + " to run"};
        continue;
      }
    }
    start_container(pass, sdk::as_container(ephemeral), 0, target_id);
    pass.soon(milliseconds(pass.memory.waiting.count(ephemeral.name()) ? 2000 : 0));
  }
}

// The runtime id of a container's running attempt; empty when it is not running.
std::string PodSyncer::running_id_of(const Pass& pass, const std::string& container_name) const {
  auto attempts = attempts_of(pass.containers, container_name);
  return !attempts.empty() && attempts.back().state() == "RUNNING" ? attempts.back().id() : "";
}

// Liveness (or startup) gave up on it: stop it, and the restart policy decides the rest.
void PodSyncer::kill_if_unhealthy(Pass& pass, const core::Container& spec, const rt::ContainerStatus& running) {
  if (!prober_.failed(pass.uid(), spec.name(), running.id())) return;
  events_.record(pass.pod, "Normal", "Killing", "Container " + spec.name() + " failed liveness probe, will be restarted");
  pass.runtime.stop_container(running.id(), termination_grace_of(pass.pod));
  pass.soon(milliseconds(100));
}

// An exited container its restart policy brings back: the next attempt once the back-off
// allows (CrashLoopBackOff until then).
void PodSyncer::restart_container(Pass& pass, const core::Container& spec, const std::vector<rt::ContainerStatus>& attempts) {
  const auto& latest = attempts.back();
  auto& backoff = pass.memory.restarts[spec.name()];
  if (ran_past_backoff(latest)) backoff = {};  // it ran long enough: its back-off starts over
  if (auto wait = until_allowed(backoff); wait.count() > 0) {
    report_back_off(pass, spec, backoff);
    pass.soon(wait);
    return;
  }
  advance(backoff);
  int next = attempt_of(latest) + 1;
  if (!start_container(pass, spec, next)) return;
  // Keep the attempt before (for `kubectl logs --previous`), drop older ones.
  for (const auto& old : attempts) {
    if (attempt_of(old) >= next - 1) continue;
    if (options_.before_container_removed) options_.before_container_removed(pass.runtime, old.id());
    pass.runtime.remove_container(old.id());
  }
}

void PodSyncer::report_back_off(Pass& pass, const core::Container& spec, const Backoff& backoff) {
  pass.memory.waiting[spec.name()] = {"CrashLoopBackOff", "back-off " + std::to_string(backoff.delay.count() / 1000) +
                                                              "s restarting failed container=" + spec.name() +
                                                              " pod=" + pod_ref(pass.pod)};
  events_.record(pass.pod, "Warning", "BackOff",
                 "Back-off restarting failed container " + spec.name() + " in pod " + pod_ref(pass.pod));
}

// Reads back what the runtime has now. A container that exited while this sync ran (one it
// just started, say) was not acted on, and the next relist would find nothing new: sync
// again for it.
void PodSyncer::read_back(Pass& pass) {
  pass.containers = pass.runtime.list_containers({{kLabelPodUid, pass.uid()}}, "", true);
  for (const auto& c : pass.containers) {
    auto before = pass.seen_at_start.find(c.id());
    if (c.state() == "EXITED" && (before == pass.seen_at_start.end() || before->second != "EXITED"))
      pass.soon(milliseconds(1));
  }
}

// Probes follow the app containers running now (those just started included).
void PodSyncer::track_probes(const Pass& pass) {
  std::vector<Prober::Target> probed;
  for (const auto& spec : pass.pod.spec().containers()) {
    auto attempts = attempts_of(pass.containers, spec.name());
    if (attempts.empty() || attempts.back().state() != "RUNNING") continue;
    const auto& latest = attempts.back();
    auto started = sdk::parse_rfc3339(rfc3339_seconds(latest.started_at())).value_or(sdk::WallClock::now());
    probed.push_back({latest.id(), &spec, started});
  }
  prober_.track(pass.uid(), pass.ip, pass.runtime, probed);
}

bool PodSyncer::start_container(Pass& pass, const core::Container& spec, int attempt, const std::string& target_id) {
  if (!pull_image(pass, spec)) return false;
  std::string id = create_container(pass, spec, attempt, target_id);
  if (id.empty()) return false;
  const std::string& name = spec.name();
  events_.record(pass.pod, "Normal", "Created", "Created container " + name);
  try {
    pass.runtime.start_container(id);
  } catch (const sdk::Error& e) {
    pass.memory.waiting[name] = {"RunContainerError", e.status().message};
    events_.record(pass.pod, "Warning", "Failed", "Error: " + e.status().message);
    return false;
  }
  events_.record(pass.pod, "Normal", "Started", "Started container " + name);
  pass.memory.waiting.erase(name);
  if (spec.lifecycle().has_post_start() &&
      !run_handler(spec.lifecycle().post_start(), spec, pass.ip, id, pass.runtime, std::chrono::seconds(30))) {
    events_.record(pass.pod, "Warning", "FailedPostStartHook", "PostStartHook failed");
    pass.runtime.stop_container(id, 0);
  }
  return true;
}

// The container's image, pulled as its pull policy says; a failure backs off further pulls.
bool PodSyncer::pull_image(Pass& pass, const core::Container& spec) {
  auto& pull = pass.memory.pulls[spec.name()];
  if (until_allowed(pull).count() > 0) {
    pass.memory.waiting[spec.name()] = {"ImagePullBackOff", "Back-off pulling image \"" + spec.image() + "\""};
    return false;
  }
  try {
    auto image = pass.runtime.image(spec.image(), pull_policy(spec));
    if (!image.pulled())
      events_.record(pass.pod, "Normal", "Pulled", "Container image \"" + spec.image() + "\" already present on machine");
    else
      events_.record(pass.pod, "Normal", "Pulled", "Successfully pulled image \"" + spec.image() + "\"");
    pull = {};
    return true;
  } catch (const sdk::Error& e) {
    advance(pull);
    std::string reason = e.status().reason == "ErrImageNeverPull" ? "ErrImageNeverPull" : "ErrImagePull";
    pass.memory.waiting[spec.name()] = {reason, e.status().message};
    // As the kubelet does: what failed, then the container's state as an event of its own.
    events_.record(pass.pod, "Warning", "Failed", e.status().message);
    events_.record(pass.pod, "Warning", "Failed", "Error: " + reason);
    return false;
  }
}

// The runtime container of this attempt; empty when it could not be made.
std::string PodSyncer::create_container(Pass& pass, const core::Container& spec, int attempt,
                                        const std::string& target_id) {
  try {
    auto config = container_config(pass.pod, spec, attempt, pod_dir(pass.uid()), downward_context(pass), api_);
    config.set_target_container_id(target_id);
    auto sandbox = sandbox_config(pass.pod, options_.node);
    set_sandbox_dns(sandbox, resolv_conf_of(pass));
    mount_resolv_conf(config, resolv_conf_file(pod_dir(pass.uid())));
    return pass.runtime.create_container(pass.sandbox_id, config, sandbox);
  } catch (const sdk::Error& e) {
    std::string reason =
        e.status().reason == "CreateContainerConfigError" ? "CreateContainerConfigError" : "CreateContainerError";
    pass.memory.waiting[spec.name()] = {reason, e.status().message};
    events_.record(pass.pod, "Warning", "Failed", "Error: " + e.status().message);
    return "";
  }
}

DownwardContext PodSyncer::downward_context(const Pass& pass) const {
  DownwardContext context;
  context.host_ips = {options_.host_ip};
  if (!pass.ip.empty()) context.pod_ips = {pass.ip};
  context.allocatable = options_.allocatable;
  context.service_account_token = [this](const core::Pod& pod, const core::ServiceAccountTokenProjection& projection) {
    return tokens_.token(pod, projection);
  };
  context.service_env = service_env_.get();
  return context;
}

ResolverConfig PodSyncer::resolv_conf_of(Pass& pass) {
  if (auto written = read_resolv_conf(resolv_conf_file(pod_dir(pass.uid())))) return *written;
  return write_resolv_conf(pass);
}

ResolverConfig PodSyncer::write_resolv_conf(Pass& pass) {
  std::string file = resolv_conf_file(pod_dir(pass.uid()));
  PodDns dns = pod_dns_on_node(pass.pod, options_.dns);
  for (const auto& warning : dns.warnings) events_.record(pass.pod, "Warning", warning.reason, warning.message);
  std::filesystem::create_directories(pod_dir(pass.uid()));
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << render_resolv_conf(dns.config);
  if (!out.flush())
    throw sdk::Error(sdk::Status::Internal("cannot write the pod's resolv.conf " + file + ": " + std::strerror(errno)));
  return dns.config;
}

milliseconds PodSyncer::until_allowed(Backoff& b) const {
  auto now = Clock::now();
  return now >= b.next ? milliseconds(0) : std::chrono::duration_cast<milliseconds>(b.next - now);
}

void PodSyncer::advance(Backoff& b) const {
  b.delay = b.delay.count() == 0 ? options_.restart_backoff : std::min(b.delay * 2, options_.restart_backoff_max);
  b.next = Clock::now() + b.delay;
}

// A container that ran for twice the longest back-off starts its back-off over.
bool PodSyncer::ran_past_backoff(const rt::ContainerStatus& container) const {
  auto started = sdk::parse_rfc3339(rfc3339_seconds(container.started_at()));
  auto finished = sdk::parse_rfc3339(rfc3339_seconds(container.finished_at()));
  return started && finished && *finished - *started > options_.restart_backoff_max * 2;
}

}  // namespace skiff::kubelet
