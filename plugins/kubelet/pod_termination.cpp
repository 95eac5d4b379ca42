// The end of a pod on this node: its containers stopped gracefully (preStop, SIGTERM,
// SIGKILL when the grace period ends), everything of it removed, its deletion completed.
#include <spdlog/logger.h>

#include <filesystem>
#include <thread>

#include "container_spec.hpp"
#include "pod_mounts.hpp"
#include "pod_sync_pass.hpp"

namespace skiff::kubelet {

namespace core = api::core::v1;
namespace rt = runtime::v1;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// How long a deleted pod's containers get: the delete's grace period, else the pod's.
std::int64_t deletion_grace_of(const core::Pod& pod) {
  return pod.metadata().has_deletion_grace_period_seconds() ? pod.metadata().deletion_grace_period_seconds()
                                                             : termination_grace_of(pod);
}

// The app container a runtime container runs, if the pod still has it.
const core::Container* spec_of(const core::Pod& pod, const rt::ContainerStatus& container) {
  auto name = container.labels().find(kLabelContainer);
  if (name == container.labels().end()) return nullptr;
  for (const auto& spec : pod.spec().containers())
    if (spec.name() == name->second) return &spec;
  return nullptr;
}

}  // namespace

milliseconds PodSyncer::terminate(const core::Pod& pod) {
  const sdk::RuntimeClient* runtime = nullptr;
  try {
    runtime = &runtimes_.for_pod(pod);
  } catch (const sdk::Error&) {  // its RuntimeClass is gone: whatever any runtime has of it goes
  }
  if (runtime) stop_all(pod, *runtime);
  remove_leftovers(pod.metadata().uid());
  return finish_deletion(pod);
}

// Every running container at once: preStop, then SIGTERM, SIGKILL when the grace ends.
void PodSyncer::stop_all(const core::Pod& pod, const sdk::RuntimeClient& runtime) {
  const std::string& uid = pod.metadata().uid();
  auto containers = runtime.list_containers({{kLabelPodUid, uid}});
  std::string ip;
  for (const auto& s : runtime.list_sandboxes({{kLabelPodUid, uid}}))
    if (s.state() == "READY") ip = s.ip();
  auto deadline = Clock::now() + std::chrono::seconds(deletion_grace_of(pod));
  std::vector<std::thread> stopping;
  for (const auto& c : containers) {
    if (c.state() != "RUNNING") continue;
    stopping.emplace_back([this, &pod, &runtime, c, spec = spec_of(pod, c), ip, deadline] {
      stop_gracefully(pod, runtime, c, spec, ip, deadline);
    });
  }
  for (auto& t : stopping) t.join();
}

void PodSyncer::stop_gracefully(const core::Pod& pod, const sdk::RuntimeClient& runtime, const rt::ContainerStatus& c,
                                const core::Container* spec, const std::string& ip, Clock::time_point deadline) {
  using std::chrono::seconds;
  if (spec && spec->lifecycle().has_pre_stop()) {
    auto left = std::chrono::duration_cast<seconds>(deadline - Clock::now());
    run_handler(spec->lifecycle().pre_stop(), *spec, ip, c.id(), runtime, std::max(left, seconds(1)));
  }
  auto left = std::chrono::duration_cast<seconds>(deadline - Clock::now());
  try {
    events_.record(pod, "Normal", "Killing", "Stopping container " + c.name());
    runtime.stop_container(c.id(), std::max<std::int64_t>(0, left.count()));
  } catch (const sdk::Error& e) {
    log_.warn("stopping {}: {}", c.id(), e.status().message);
  }
}

// The containers are gone: the deletion can complete.
milliseconds PodSyncer::finish_deletion(const core::Pod& pod) {
  sdk::ApiDeleteOptions now;
  now.grace_period_seconds = 0;
  now.precondition_uid = pod.metadata().uid();
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
      remove_from(*runtime, uid);
    } catch (const sdk::Error& e) {
      if (e.status().code != 503 || runtime->handler().empty()) throw;  // a handler this node does not serve
    }
  }
  prober_.forget(uid);
  tokens_.forget(uid);
  remove_pod_dir(pod_dir(uid));  // never through a mount left inside: its data would go too
  std::lock_guard lock(mutex_);
  memory_.erase(uid);
}

// The pod's containers and sandboxes in one runtime; one already gone is fine.
void PodSyncer::remove_from(const sdk::RuntimeClient& runtime, const std::string& uid) {
  for (const auto& c : runtime.list_containers({{kLabelPodUid, uid}})) {
    try {
      if (options_.before_container_removed && c.state() != "CREATED") options_.before_container_removed(runtime, c.id());
      runtime.remove_container(c.id());
    } catch (const sdk::Error& e) {
      if (e.status().code != 404) log_.warn("removing container {}: {}", c.id(), e.status().message);
    }
  }
  for (const auto& s : runtime.list_sandboxes({{kLabelPodUid, uid}})) {
    try {
      runtime.remove_sandbox(s.id());
    } catch (const sdk::Error& e) {
      if (e.status().code != 404) log_.warn("removing sandbox {}: {}", s.id(), e.status().message);
    }
  }
}

}  // namespace skiff::kubelet
