// A pod sandbox without a process: its network, UTS and IPC namespaces are made on a thread of
// their own (unshare affects only the calling thread) and pinned by bind-mounting them on files
// in the sandbox's directory, as `ip netns add` does; containers join them by path, CNI attaches
// the network one, and they outlive skiffd. Loopback is brought up and the hostname set inside.
#pragma once

#include <string>

namespace skiff::runc {

struct PodNamespaces {
  std::string network;  // "" on the node's network (hostNetwork)
  std::string uts;      // "" likewise: such pods have the node's hostname
  std::string ipc;
};

// Pins new namespaces under `dir` (created): network and UTS only when `own_network`. Throws
// sdk::Error(500) naming the step that failed (run as root).
PodNamespaces pin_pod_namespaces(const std::string& dir, const std::string& hostname, bool own_network);
// Unmounts and removes the pins (the namespaces end with their last user); missing ones are fine.
void unpin_pod_namespaces(const PodNamespaces& namespaces);
// True when `path` is a pinned namespace (a mount of nsfs), not just the file left behind.
bool namespace_pinned(const std::string& path);

}  // namespace skiff::runc
