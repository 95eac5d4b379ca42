// runtime-containerd's stats: containers' from CRI (ContainerStats, ListContainerStats for a
// batch), a sandbox's network from /proc/net/dev inside its pause process' namespace.
#include <boost/json.hpp>

#include <set>

#include "containerd_runtime.hpp"
#include "net_dev.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::containerd {

namespace rt = runtime::v1;
using sdk::Error;

namespace {

std::uint64_t value(const cri::UInt64Value& v) { return v.value(); }

rt::StatsResponse from_cri(const cri::ContainerStats& stats) {
  rt::StatsResponse out;
  out.set_cpu_usage_nanos(value(stats.cpu().usage_core_nano_seconds()));
  const auto& memory = stats.memory();
  out.set_memory_working_set_bytes(value(memory.working_set_bytes()));
  out.set_memory_usage_bytes(value(memory.usage_bytes()));
  out.set_memory_rss_bytes(value(memory.rss_bytes()));
  out.set_page_faults(value(memory.page_faults()));
  out.set_major_page_faults(value(memory.major_page_faults()));
  // containerd reports what is left under the limit, as cAdvisor does (limit − working set).
  if (memory.has_available_bytes() && value(memory.available_bytes()) > 0)
    out.set_memory_limit_bytes(value(memory.available_bytes()) + value(memory.working_set_bytes()));
  out.set_rootfs_used_bytes(value(stats.writable_layer().used_bytes()));
  out.set_rootfs_inodes_used(value(stats.writable_layer().inodes_used()));
  out.set_timestamp(sdk::format_rfc3339_micro(sdk::WallClock::now()));
  return out;
}

}  // namespace

std::int64_t ContainerdRuntime::sandbox_pid(const cri::PodSandboxStatusResponse& status) {
  auto it = status.info().find("info");
  if (it == status.info().end()) return 0;
  boost::system::error_code ec;
  auto info = boost::json::parse(it->second, ec);
  if (ec || !info.is_object()) return 0;
  const auto* pid = info.as_object().if_contains("pid");
  return pid && pid->is_int64() ? pid->as_int64() : 0;
}

rt::StatsResponse ContainerdRuntime::stats(const std::string& id) { return from_cri(client_.container_stats(id).stats()); }

// Host-network and stopped sandboxes have no network of their own to report.
rt::SandboxStatsResponse ContainerdRuntime::sandbox_stats(const std::string& sandbox_id) {
  auto status = client_.pod_sandbox_status(sandbox_id, true);  // 404 for an unknown one
  if (status.status().state() != cri::SANDBOX_READY) return {};
  if (status.status().linux().namespaces().options().network() == cri::NODE) return {};
  std::int64_t pid = sandbox_pid(status);
  if (pid <= 0) return {};
  return runtime_common::sandbox_network_stats("/proc/" + std::to_string(pid) + "/ns/net");
}

rt::ListStatsResponse ContainerdRuntime::list_stats(const rt::ListStatsRequest& request) {
  std::set<std::string> wanted(request.container_ids().begin(), request.container_ids().end());
  rt::ListStatsResponse out;
  auto listed = client_.list_container_stats();
  for (const auto& stats : listed.stats()) {
    if (!wanted.empty() && !wanted.count(stats.attributes().id())) continue;
    auto* entry = out.add_containers();
    entry->set_container_id(stats.attributes().id());
    *entry->mutable_stats() = from_cri(stats);
  }
  std::vector<std::string> sandboxes(request.sandbox_ids().begin(), request.sandbox_ids().end());
  if (sandboxes.empty()) {
    auto ready = list_sandboxes(rt::ListSandboxesRequest());
    for (const auto& s : ready.sandboxes())
      if (s.state() == "READY") sandboxes.push_back(s.id());
  }
  for (const auto& id : sandboxes) {
    try {
      auto stats = sandbox_stats(id);
      auto* entry = out.add_sandboxes();
      entry->set_sandbox_id(id);
      *entry->mutable_stats() = std::move(stats);
    } catch (const Error& e) {
      if (e.status().code != 404) throw;  // removed since it was listed
    }
  }
  return out;
}

}  // namespace skiff::containerd
