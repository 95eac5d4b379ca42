// The OCI runtime spec (config.json, runtime-spec 1.0.2) of one container's bundle, from the
// pod's container config and its image: process (args as Kubernetes combines command/args with
// the image's entrypoint/cmd, env, working dir, the image's user), Docker's default capabilities
// and masked paths, the kubelet's mounts as bind mounts, cgroup v1 limits (CPU quota over a
// 100 ms period and shares, memory), the securityContext (capabilities, read-only root, user,
// privileged, no new privileges), the sandbox's namespaces joined by path, and a small init as
// PID 1 (so that SIGTERM reaches the command, which a PID 1 would not get).
#pragma once

#include <string>
#include <vector>

#include "image_store.hpp"
#include "namespace_pin.hpp"
#include "skiff/runtime/v1/runtime.pb.h"

namespace skiff::runc {

struct ContainerSpecInputs {
  const runtime::v1::ContainerConfig* config = nullptr;
  const ImageConfig* image = nullptr;
  PodNamespaces sandbox;      // joined; network "" = the node's
  std::string hostname;       // the pod's (HOSTNAME in the environment)
  std::string rootfs;         // the mounted root, read for the image user's /etc/passwd and /etc/group
  std::string cgroups_path;   // "/skiff-runc/<id>"
  std::string init;           // skiff-runc-init, mounted at kInitPath as PID 1; "" runs the command as PID 1
  bool host_pid = false;      // the node's PID namespace instead of one of its own
  bool host_ipc = false;      // the node's IPC namespace instead of the pod's
};

// Where each container sees its init.
inline constexpr const char* kInitPath = "/.skiff/init";

// The process's argv; throws sdk::Error(400) when neither the pod nor the image gives a command.
std::vector<std::string> container_args(const runtime::v1::ContainerConfig& config, const ImageConfig& image);
// The image's env with the pod's overriding by name, PATH defaulted, HOSTNAME added.
std::vector<std::string> container_env(const runtime::v1::ContainerConfig& config, const ImageConfig& image,
                                       const std::string& hostname);
// Docker's default set, then the securityContext's drops and adds ("ALL" either way; privileged
// starts from every capability), within this process's bounding set; throws sdk::Error(400) for
// an added capability that is unknown or not in the bounding set.
std::vector<std::string> container_capabilities(const runtime::v1::ContainerConfig& config);
// "uid[:gid]" or names looked up in the rootfs's /etc/passwd and /etc/group; throws
// sdk::Error(400) naming the user when a name is not there.
std::pair<unsigned, unsigned> resolve_user(const std::string& user, const std::string& rootfs);

// config.json's text.
std::string container_spec(const ContainerSpecInputs& inputs);

}  // namespace skiff::runc
