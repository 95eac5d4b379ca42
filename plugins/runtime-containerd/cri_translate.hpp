// The runtime contract's messages (skiff.runtime.v1) as CRI's (runtime.v1) and back: pure
// functions, so what containerd is asked for and what the kubelet is told can be read and
// tested apart from any daemon.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/v1/cri.pb.h"
#include "skiff/runtime/v1/runtime.pb.h"

namespace skiff::containerd {

namespace cri = ::runtime::v1;
namespace rt = ::skiff::runtime::v1;

// Where a pod's container logs go: "<root>/<namespace>_<pod>_<uid>", as the kubelet lays out /var/log/pods.
std::string sandbox_log_directory(const std::string& root, const rt::SandboxConfig& config);
// A container's log file inside it: "<name>/<attempt>.log".
std::string container_log_path(const rt::ContainerConfig& config);

// Every container of a pod shares its network, IPC and PID namespaces (the sandbox's pause
// process is PID 1: it reaps, and SIGTERM reaches each container's own first process).
// `attempt` tells this sandbox from the pod's earlier ones (CRI reserves a name per attempt).
cri::PodSandboxConfig to_cri_sandbox(const rt::SandboxConfig& config, const std::string& log_root,
                                     const std::string& cgroup_parent, std::uint32_t attempt = 0);
// Throws sdk::Error(400) naming a capability of the securityContext that Linux does not have
// (runc would drop it with only a warning in its log).
cri::ContainerConfig to_cri_container(const rt::CreateContainerRequest& request);
// The sandbox config CreateContainer carries: the pod's, marked privileged for a privileged
// container — containerd admits one only when that config says so, which the kubelet's does
// when any container of the pod is privileged; the contract's sandbox carries no such mark.
cri::PodSandboxConfig to_cri_sandbox_of(const rt::CreateContainerRequest& request, const std::string& log_root,
                                        const std::string& cgroup_parent);
// Whether the container asks for a group without a user, which CRI refuses: take_image_user
// then gives it the image's.
bool needs_image_user(const rt::ContainerConfig& config);
// The image's user (by uid or by name, root when it names none) as the container's, as the
// kubelet fills it from ImageStatus: the group then goes with the user the container would run as anyway.
void take_image_user(cri::ContainerConfig& config, const cri::Image& image);

// Kubernetes' OOM score for the container's QoS (BestEffort 1000, else 0 here), clamped to
// >= 0: root on these machines may not lower it (no CAP_SYS_RESOURCE).
std::int64_t oom_score_adj_for(const rt::ContainerConfig& config);
std::int64_t clamp_oom_score_adj(std::int64_t requested);

rt::Sandbox from_cri(const cri::PodSandboxStatus& status);
rt::Sandbox from_cri(const cri::PodSandbox& sandbox);
rt::ContainerStatus from_cri(const cri::ContainerStatus& status);

// CRI times are nanoseconds since the epoch, 0 for never; the contract's are RFC 3339 ("" never).
std::string rfc3339_from_nanos(std::int64_t nanos);

}  // namespace skiff::containerd
