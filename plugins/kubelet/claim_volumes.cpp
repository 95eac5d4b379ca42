// From a pod's claim to the host directory of its volume, refusing what cannot work here.
#include "claim_volumes.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/sdk/storage/volumes.hpp"

namespace skiff::kubelet {
namespace {

namespace core = api::core::v1;
namespace fs = std::filesystem;

[[noreturn]] void mount_failure(const std::string& message) {
  throw sdk::Error(sdk::Status{422, "FailedMount", message});
}

template <class T>
std::optional<T> fetch(const sdk::ApiClient& api, const std::string& ns, const std::string& name) {
  try {
    return api.get<T>(ns, name);
  } catch (const sdk::Error& e) {
    if (e.status().code == 404) return std::nullopt;
    throw;
  }
}

std::map<std::string, std::string> node_labels(const sdk::ApiClient& api, const std::string& node) {
  auto found = fetch<core::Node>(api, "", node);
  if (!found) return {{sdk::storage::kHostnameLabel, node}};
  return {found->metadata().labels().begin(), found->metadata().labels().end()};
}

void own(const fs::path& path, std::int64_t group, bool directory) {
  if (::lchown(path.c_str(), static_cast<uid_t>(-1), static_cast<gid_t>(group)) != 0) return;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return;
  mode_t mode = (st.st_mode & 07777) | S_IRGRP | S_IWGRP | (directory ? (S_IXGRP | S_ISGID) : 0);
  ::chmod(path.c_str(), mode);
}

}  // namespace

std::string claim_volume_path(const core::Pod& pod, const core::Volume& volume, const sdk::ApiClient& api) {
  const std::string& claim_name = volume.persistent_volume_claim().claim_name();
  const std::string& ns = pod.metadata().namespace_();
  auto claim = fetch<core::PersistentVolumeClaim>(api, ns, claim_name);
  if (!claim) mount_failure("persistentvolumeclaim \"" + claim_name + "\" not found");
  if (!claim->metadata().deletion_timestamp().empty())
    mount_failure("persistentvolumeclaim \"" + claim_name + "\" is being deleted");
  if (claim->spec().volume_name().empty() || claim->status().phase() != "Bound")
    mount_failure("persistentvolumeclaim \"" + claim_name + "\" is not bound (phase " +
                  (claim->status().phase().empty() ? "Pending" : claim->status().phase()) + ")");
  auto pv = fetch<core::PersistentVolume>(api, "", claim->spec().volume_name());
  if (!pv) mount_failure("persistentvolume \"" + claim->spec().volume_name() + "\" of claim \"" + claim_name + "\" not found");
  const std::string& node = pod.spec().node_name();
  if (!sdk::storage::volume_fits_node(*pv, node, node_labels(api, node)))
    mount_failure("persistentvolume \"" + pv->metadata().name() + "\" of claim \"" + claim_name +
                  "\" has a node affinity that excludes node \"" + node + "\"; the pod cannot start here");
  if (pv->spec().has_local()) return pv->spec().local().path();
  if (pv->spec().has_host_path()) return pv->spec().host_path().path();
  mount_failure("persistentvolume \"" + pv->metadata().name() + "\" of claim \"" + claim_name +
                "\" has no local or hostPath source this kubelet can mount");
}

void apply_fs_group(const std::string& dir, std::int64_t fs_group) {
  std::error_code ec;
  own(dir, fs_group, true);
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    own(it->path(), fs_group, it->is_directory(ec) && !it->is_symlink(ec));
}

}  // namespace skiff::kubelet
