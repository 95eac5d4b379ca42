// The CNI configuration containerd's CRI runs for pods: it reads the one conflist in its conf
// dir (scripts/containerd.sh names it), and this keeps there the node's network plugin's
// conflist when the node has one, else runtime-containerd's default bridge (written in its own
// directory first), so pods get addresses with or without the network plugin.
#pragma once

#include <mutex>
#include <string>

namespace skiff::containerd {

struct CniConfigOptions {
  std::string network_conf_dir;     // where the node's network plugin writes its conflist
  std::string own_conf_dir;         // the default bridge's conflist, kept by this plugin
  std::string containerd_conf_dir;  // what containerd reads (its config's cni.conf_dir)
  std::string bridge;               // the default bridge's Linux bridge
  std::string subnet;               // the default bridge's pods
  std::string ipam_dir;             // host-local's address records for the default bridge
};

// A bridge + host-local conflist: gateway on the bridge, no masquerade (traffic stays on the node).
std::string default_bridge_conflist(const std::string& bridge, const std::string& subnet, const std::string& ipam_dir);

// The first conflist in `dir` (CNI's order: by name; .conflist, .conf, .json), or "" when none.
std::string first_conflist(const std::string& dir);

class CniConfig {
 public:
  explicit CniConfig(CniConfigOptions options);

  // Puts the conflist to use into containerd's dir when it is not already there; true when it
  // changed. Throws sdk::Error(500) naming the directory when it cannot be written.
  bool sync();
  // Where the conflist in use comes from, for messages.
  std::string source() const;

 private:
  mutable std::mutex mutex_;
  CniConfigOptions options_;
  std::string source_;
};

}  // namespace skiff::containerd
