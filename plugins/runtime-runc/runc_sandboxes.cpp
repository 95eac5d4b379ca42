// RuncRuntime's sandboxes: the pod's pinned namespaces, its CNI attachment, its record, and
// port-forwarding into its network namespace.
#include <filesystem>

#include "container_record.hpp"
#include "net_dev.hpp"
#include "port_forwarder.hpp"
#include "runc_runtime.hpp"
#include "skiff/sdk/runtime/labels.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::runc {

namespace fs = std::filesystem;
namespace rt = runtime::v1;
using sdk::Error;
using sdk::Status;

namespace {

constexpr const char* kSandboxRecord = "/sandbox.pb";

}  // namespace

rt::Sandbox RuncRuntime::load_sandbox(const std::string& id) const {
  rt::Sandbox sandbox;
  if (id.empty() || id.find('/') != std::string::npos || !load_message(sandbox_dir(id) + kSandboxRecord, sandbox))
    throw Error(Status::NotFound("no sandbox " + id + " on this runtime"));
  return sandbox;
}

PodNamespaces RuncRuntime::sandbox_namespaces(const rt::Sandbox& sandbox) const {
  std::string dir = sandbox_dir(sandbox.id());
  bool own = !sandbox.config().host_network();
  return {own ? dir + "/net" : "", own ? dir + "/uts" : "", dir + "/ipc"};
}

rt::RunSandboxResponse RuncRuntime::run_sandbox(const rt::RunSandboxRequest& request) {
  // A pinned PID namespace has no process to be its init: there is nothing to share.
  if (request.config().share_process_namespace())
    throw Error(Status{501, "NotImplemented",
                       "runtime-runc cannot give a pod's containers one PID namespace (shareProcessNamespace): "
                       "drop it (kubectl debug --copy-to … --share-processes=false), or use the docker or "
                       "containerd runtime"});
  rt::Sandbox sandbox;
  sandbox.set_id(new_runtime_id());
  *sandbox.mutable_config() = request.config();
  for (const auto& [key, value] : sdk::sandbox_labels(request.config())) (*sandbox.mutable_labels())[key] = value;
  sandbox.set_created_at(sdk::now_rfc3339());
  sandbox.set_state("READY");
  std::string dir = sandbox_dir(sandbox.id());
  fs::create_directories(dir);
  try {
    PodNamespaces ns = pin_pod_namespaces(dir, request.config().hostname(), !request.config().host_network());
    save_message(dir + kSandboxRecord, sandbox);  // before ADD: what DEL needs is found again
    if (!ns.network.empty()) sandbox.set_ip(network_.attach(sandbox.id(), ns.network, request.config()));
    save_message(dir + kSandboxRecord, sandbox);
  } catch (...) {
    unpin_pod_namespaces(sandbox_namespaces(sandbox));
    std::error_code ec;
    fs::remove_all(dir, ec);
    throw;
  }
  rt::RunSandboxResponse response;
  response.set_sandbox_id(sandbox.id());
  response.set_ip(sandbox.ip());
  return response;
}

void RuncRuntime::detach_network(const rt::Sandbox& sandbox) {
  PodNamespaces ns = sandbox_namespaces(sandbox);
  if (!ns.network.empty()) network_.detach(sandbox.id(), namespace_pinned(ns.network) ? ns.network : "");
  unpin_pod_namespaces(ns);
}

void RuncRuntime::stop_sandbox(const std::string& sandbox_id) {
  rt::Sandbox sandbox = load_sandbox(sandbox_id);
  rt::ListContainersRequest mine;
  mine.set_sandbox_id(sandbox_id);
  auto containers = list_containers(mine);
  for (const auto& c : containers.containers()) stop_container(c.id(), 0);
  detach_network(sandbox);
  sandbox.set_state("NOTREADY");
  save_message(sandbox_dir(sandbox_id) + kSandboxRecord, sandbox);
}

void RuncRuntime::remove_sandbox(const std::string& sandbox_id) {
  rt::Sandbox sandbox;
  try {
    sandbox = load_sandbox(sandbox_id);
  } catch (const Error&) {
    return;  // removed already
  }
  rt::ListContainersRequest mine;
  mine.set_sandbox_id(sandbox_id);
  auto containers = list_containers(mine);
  for (const auto& c : containers.containers()) remove_container(c.id());
  detach_network(sandbox);
  fs::remove_all(sandbox_dir(sandbox_id));
}

rt::Sandbox RuncRuntime::sandbox_status(const std::string& sandbox_id) { return load_sandbox(sandbox_id); }

rt::ListSandboxesResponse RuncRuntime::list_sandboxes(const rt::ListSandboxesRequest& request) {
  rt::ListSandboxesResponse response;
  for (const auto& id : ids_in(options_.data_dir + "/sandboxes")) {
    rt::Sandbox sandbox;
    if (!load_message(sandbox_dir(id) + kSandboxRecord, sandbox)) continue;  // being made or removed
    if (labels_match(sandbox.labels(), request.labels())) *response.add_sandboxes() = std::move(sandbox);
  }
  return response;
}

// The pinned network namespace's interfaces; none with host network or once it is unpinned.
rt::SandboxStatsResponse RuncRuntime::sandbox_stats(const std::string& sandbox_id) {
  rt::Sandbox sandbox = load_sandbox(sandbox_id);
  std::string netns = sandbox_namespaces(sandbox).network;
  if (netns.empty() || !namespace_pinned(netns)) return {};
  return runtime_common::sandbox_network_stats(netns);
}

// The pinned network namespace is the pod's (none with host network: the host's).
sdk::StreamBody RuncRuntime::port_forward(const rt::PortForwardRequest& request) {
  rt::Sandbox sandbox = load_sandbox(request.sandbox_id());  // 404 before the stream starts
  std::string netns = sandbox_namespaces(sandbox).network;
  if (!netns.empty() && !namespace_pinned(netns))
    throw Error(Status::Conflict("sandbox " + sandbox.id() + " has no network namespace any more (stopped?)"));
  return runtime_common::forward_port(netns, request.port());
}

}  // namespace skiff::runc
