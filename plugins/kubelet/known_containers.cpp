// Groups the running containers of the pods' statuses by runtime and asks each runtime once.
#include "known_containers.hpp"

#include <map>

#include "skiff/sdk/status.hpp"

namespace skiff::kubelet {

namespace core = api::core::v1;

namespace {

using ByRuntime = std::map<const sdk::RuntimeClient*, std::map<std::string, ContainerReading>>;

void add_running(const google::protobuf::RepeatedPtrField<core::ContainerStatus>& statuses, const std::string& pod_uid,
                 std::map<std::string, ContainerReading>& out) {
  for (const auto& s : statuses) {
    if (!s.state().has_running() || s.container_id().empty()) continue;
    out[runtime_container_id(s.container_id())] = {pod_uid, s.name(), s.state().running().started_at(), {}, {}};
  }
}

ByRuntime group_by_runtime(RuntimeSet& runtimes, const std::vector<std::shared_ptr<const core::Pod>>& pods) {
  ByRuntime out;
  for (const auto& pod : pods) {
    const sdk::RuntimeClient* runtime = nullptr;
    try {
      runtime = &runtimes.for_pod(*pod);
    } catch (const sdk::Error&) {
      continue;  // its RuntimeClass is gone: the pod cannot be running here
    }
    auto& containers = out[runtime];
    const auto& status = pod->status();
    add_running(status.container_statuses(), pod->metadata().uid(), containers);
    add_running(status.init_container_statuses(), pod->metadata().uid(), containers);
    add_running(status.ephemeral_container_statuses(), pod->metadata().uid(), containers);
  }
  return out;
}

void read_one(const sdk::RuntimeClient& runtime, std::map<std::string, ContainerReading>& containers,
              RuntimeReadings& out) {
  std::vector<std::string> ids;
  for (const auto& [id, c] : containers) ids.push_back(id);
  auto answer = runtime.list_stats(ids, {"none"});  // an empty list would ask for every sandbox
  auto read_at = UsageRates::Clock::now();
  for (const auto& entry : answer.containers()) {
    auto it = containers.find(entry.container_id());
    if (it == containers.end()) continue;
    it->second.stats = entry.stats();
    it->second.read_at = read_at;
    out.containers.insert(*it);
  }
}

}  // namespace

std::string runtime_container_id(const std::string& status_id) {
  auto scheme_end = status_id.find("://");
  return scheme_end == std::string::npos ? status_id : status_id.substr(scheme_end + 3);
}

RuntimeReadings read_known_containers(RuntimeSet& runtimes, const std::vector<std::shared_ptr<const core::Pod>>& pods) {
  RuntimeReadings out;
  for (auto& [runtime, containers] : group_by_runtime(runtimes, pods)) {
    if (containers.empty()) continue;
    try {
      read_one(*runtime, containers, out);
    } catch (const sdk::Error& e) {
      if (e.status().code != 503 || runtime->handler().empty()) throw;  // a handler not served on this node
    }
  }
  return out;
}

}  // namespace skiff::kubelet
