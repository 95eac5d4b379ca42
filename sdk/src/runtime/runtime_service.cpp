// RuntimeService's one default: list_stats as a loop over stats() and sandbox_stats(), for
// runtimes without a cheaper batch.
#include "skiff/sdk/runtime/runtime_service.hpp"

#include "skiff/sdk/status.hpp"

namespace skiff::sdk {

namespace rt = runtime::v1;

namespace {

std::vector<std::string> running_containers(RuntimeService& service) {
  std::vector<std::string> ids;
  auto listed = service.list_containers(rt::ListContainersRequest());
  for (const auto& c : listed.containers())
    if (c.state() == "RUNNING") ids.push_back(c.id());
  return ids;
}

std::vector<std::string> ready_sandboxes(RuntimeService& service) {
  std::vector<std::string> ids;
  auto listed = service.list_sandboxes(rt::ListSandboxesRequest());
  for (const auto& s : listed.sandboxes())
    if (s.state() == "READY") ids.push_back(s.id());
  return ids;
}

// A container or sandbox removed since it was listed (404) or stopped meanwhile (409) is
// simply left out: the caller asked for what runs.
bool gone(const Error& e) { return e.status().code == 404 || e.status().code == 409; }

}  // namespace

rt::ListStatsResponse RuntimeService::list_stats(const rt::ListStatsRequest& request) {
  std::vector<std::string> containers(request.container_ids().begin(), request.container_ids().end());
  std::vector<std::string> sandboxes(request.sandbox_ids().begin(), request.sandbox_ids().end());
  if (containers.empty()) containers = running_containers(*this);
  if (sandboxes.empty()) sandboxes = ready_sandboxes(*this);
  rt::ListStatsResponse out;
  for (const auto& id : containers) {
    try {
      auto stats = this->stats(id);
      auto* entry = out.add_containers();
      entry->set_container_id(id);
      *entry->mutable_stats() = std::move(stats);
    } catch (const Error& e) {
      if (!gone(e)) throw;
    }
  }
  for (const auto& id : sandboxes) {
    try {
      auto stats = sandbox_stats(id);
      auto* entry = out.add_sandboxes();
      entry->set_sandbox_id(id);
      *entry->mutable_stats() = std::move(stats);
    } catch (const Error& e) {
      if (!gone(e)) throw;
    }
  }
  return out;
}

}  // namespace skiff::sdk
