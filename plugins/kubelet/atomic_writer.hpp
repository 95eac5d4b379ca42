// A volume's files replaced all at once, as Kubernetes' kubelet writes configMap, secret,
// downwardAPI and projected volumes (its AtomicWriter): the files go into a new hidden
// directory `..<timestamp>`, the symlink `..data` is renamed onto it in one step, and each
// top-level name in the volume is a symlink through `..data` — so a reader sees all the old
// files or all the new ones, never a mix, and an update reaches containers that mount the
// volume without restarting them.
#pragma once

#include <map>
#include <string>

namespace skiff::kubelet {

struct ProjectedFile {
  std::string data;
  int mode = 0644;
};
// Relative path in the volume → the file there.
using VolumePayload = std::map<std::string, ProjectedFile>;

// Writes `payload` into `dir` (made when missing) unless it holds exactly that already; true
// when it wrote. Throws sdk::Error (reason FailedMount) for a path that is empty, absolute,
// has a ".." element or starts with "..", and for a write the file system refuses.
bool write_atomically(const std::string& dir, const VolumePayload& payload);

}  // namespace skiff::kubelet
