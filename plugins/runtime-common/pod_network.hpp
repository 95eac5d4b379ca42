// Pods on CNI (`network: cni`): ADD on a sandbox's network namespace gives the pod its IP from
// the node's conflist (or a runtime's fallback), DEL gives it back; what DEL needs is recorded before ADD runs, so no
// IP leaks — not when ADD fails half-way, not when the runtime restarts.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "attachment_store.hpp"
#include "skiff/runtime/v1/runtime.pb.h"
#include "skiff/sdk/cni/cni_network.hpp"

namespace skiff::runtime_common {

struct PodNetworkOptions {
  std::string conf_dir;                // where the node's network plugin writes the conflist
  std::string fallback_conf_dir;       // used when conf_dir has none ("": none, the network is not ready)
  std::vector<std::string> bin_dirs;   // where the CNI plugins are
  std::chrono::milliseconds timeout{};  // per plugin run
  std::string state_dir;               // the records (the plugin's data dir)
};

class PodNetwork {
 public:
  explicit PodNetwork(PodNetworkOptions options);

  // The node's network configuration; throws Error(503, NetworkNotReady) naming the directory
  // when there is none.
  sdk::cni::NetworkConfigList configuration() const;
  // ADD for sandbox `sandbox_id` whose network namespace is `netns` (a path: /proc/<pid>/ns/net
  // or a pinned namespace); returns the pod IP. On failure what ADD did is undone (DEL) and the
  // error names the CNI plugin.
  std::string attach(const std::string& sandbox_id, const std::string& netns, const runtime::v1::SandboxConfig& config);
  // DEL, when the sandbox is attached: with its namespace while it exists ("" after).
  // Repeatable; the record goes once DEL succeeded.
  void detach(const std::string& sandbox_id, const std::string& netns);
  // The pod IP of an attached sandbox.
  std::optional<std::string> ip_of(const std::string& sandbox_id) const;
  // Every sandbox with a record (attached, or ADD interrupted).
  std::vector<std::string> attached() const { return store_.sandbox_ids(); }

 private:
  std::shared_ptr<std::mutex> lock_for(const std::string& sandbox_id);
  sdk::cni::CniOptions cni_options() const { return {options_.bin_dirs, options_.timeout}; }

  PodNetworkOptions options_;
  AttachmentStore store_;
  std::mutex locks_mutex_;
  std::map<std::string, std::weak_ptr<std::mutex>> locks_;  // CNI operations on one sandbox never overlap
};

}  // namespace skiff::runtime_common
