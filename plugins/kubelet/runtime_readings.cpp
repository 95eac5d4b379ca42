// Asks each runtime for this node's containers, sandboxes and their stats.
#include "runtime_readings.hpp"

#include <set>

#include "container_spec.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::kubelet {

namespace rt = runtime::v1;

namespace {

std::string label(const google::protobuf::Map<std::string, std::string>& labels, const char* key) {
  auto it = labels.find(key);
  return it == labels.end() ? "" : it->second;
}

void read_one(const sdk::RuntimeClient& runtime, const std::string& node, RuntimeReadings& out) {
  std::map<std::string, ContainerReading> containers;
  std::map<std::string, SandboxReading> sandboxes;
  for (const auto& c : runtime.list_containers({{kLabelNode, node}}))
    if (c.state() == "RUNNING" && !out.containers.count(c.id()))
      containers[c.id()] = {label(c.labels(), kLabelPodUid), label(c.labels(), kLabelContainer), c.started_at(), {}, {}};
  for (const auto& s : runtime.list_sandboxes({{kLabelNode, node}}))
    if (s.state() == "READY" && !out.sandboxes.count(s.id())) sandboxes[s.id()] = {label(s.labels(), kLabelPodUid), {}};
  if (containers.empty() && sandboxes.empty()) return;  // empty lists would ask for everything
  std::vector<std::string> container_ids, sandbox_ids;
  for (const auto& [id, c] : containers) container_ids.push_back(id);
  for (const auto& [id, s] : sandboxes) sandbox_ids.push_back(id);
  // A kind with nothing to ask gets an id that matches nothing, not an empty (= every) list.
  if (container_ids.empty()) container_ids.push_back("none");
  if (sandbox_ids.empty()) sandbox_ids.push_back("none");
  auto answer = runtime.list_stats(container_ids, sandbox_ids);
  auto read_at = UsageRates::Clock::now();
  for (const auto& entry : answer.containers()) {
    auto it = containers.find(entry.container_id());
    if (it == containers.end()) continue;
    it->second.stats = entry.stats();
    it->second.read_at = read_at;
    out.containers.insert(*it);
  }
  for (const auto& entry : answer.sandboxes()) {
    auto it = sandboxes.find(entry.sandbox_id());
    if (it == sandboxes.end()) continue;
    it->second.stats = entry.stats();
    out.sandboxes.insert(*it);
  }
}

}  // namespace

RuntimeReadings read_runtimes(RuntimeSet& runtimes, const std::string& node) {
  RuntimeReadings out;
  for (const sdk::RuntimeClient* runtime : runtimes.all()) {
    try {
      read_one(*runtime, node, out);
    } catch (const sdk::Error& e) {
      if (e.status().code != 503 || runtime->handler().empty()) throw;  // a handler not served on this node
    }
  }
  return out;
}

}  // namespace skiff::kubelet
