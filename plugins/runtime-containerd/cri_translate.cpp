#include "cri_translate.hpp"

#include <algorithm>
#include <chrono>

#include "capabilities.hpp"
#include "skiff/sdk/runtime/labels.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::containerd {

namespace {

constexpr std::int64_t kCpuPeriodMicros = 100000;  // CFS period, as the kubelet sets it
constexpr std::int64_t kMinCpuShares = 2;

template <class Map>
void copy_labels(const std::map<std::string, std::string>& from, Map& to) {
  for (const auto& [k, v] : from) to[k] = v;
}

cri::Protocol protocol_of(const std::string& protocol) {
  if (protocol == "UDP") return cri::UDP;
  if (protocol == "SCTP") return cri::SCTP;
  return cri::TCP;
}

// As the kubelet asks CRI: the node's namespaces for hostNetwork, hostPID and hostIPC; one PID
// namespace for the pod only with shareProcessNamespace (else one per container).
void share_pod_namespaces(cri::NamespaceOption& options, const rt::SandboxConfig& pod) {
  options.set_network(pod.host_network() ? cri::NODE : cri::POD);
  options.set_pid(pod.host_pid() ? cri::NODE : pod.share_process_namespace() ? cri::POD : cri::CONTAINER);
  options.set_ipc(pod.host_ipc() ? cri::NODE : cri::POD);
}

std::string label_or(const google::protobuf::Map<std::string, std::string>& labels, const char* key,
                     const std::string& fallback) {
  auto it = labels.find(key);
  return it == labels.end() ? fallback : it->second;
}

// CRI's spelling: capitals without "CAP_" (containerd puts it before every name but "ALL", so
// "CAP_NET_ADMIN" would reach runc as CAP_CAP_NET_ADMIN and be ignored).
std::string cri_capability(const rt::ContainerConfig& config, const std::string& name) {
  std::string oci = runtime_common::oci_capability_name(name);
  if (oci == "ALL") return oci;
  if (!runtime_common::is_capability(oci))
    throw sdk::Error(sdk::Status::BadRequest("container " + config.name() + ": no capability " + name +
                                             " (capabilities(7) names, with or without CAP_, or ALL)"));
  return oci.substr(4);
}

// The securityContext as the kubelet merged it: capabilities, read-only root, privileged,
// user and group, no new privileges.
void set_security(cri::LinuxContainerSecurityContext& out, const rt::ContainerConfig& config) {
  if (!config.capabilities_add().empty() || !config.capabilities_drop().empty()) {
    auto* caps = out.mutable_capabilities();
    for (const auto& name : config.capabilities_add()) caps->add_add_capabilities(cri_capability(config, name));
    for (const auto& name : config.capabilities_drop()) caps->add_drop_capabilities(cri_capability(config, name));
  }
  out.set_readonly_rootfs(config.read_only_root());
  out.set_privileged(config.privileged());
  out.set_no_new_privs(config.no_new_privileges());
  if (config.has_run_as_user()) out.mutable_run_as_user()->set_value(config.run_as_user());
  if (config.has_run_as_group()) out.mutable_run_as_group()->set_value(config.run_as_group());
}

}  // namespace

std::string sandbox_log_directory(const std::string& root, const rt::SandboxConfig& config) {
  return root + "/" + config.namespace_() + "_" + config.pod_name() + "_" + config.pod_uid();
}

std::string container_log_path(const rt::ContainerConfig& config) {
  return config.name() + "/" + std::to_string(config.attempt()) + ".log";
}

cri::PodSandboxConfig to_cri_sandbox(const rt::SandboxConfig& config, const std::string& log_root,
                                     const std::string& cgroup_parent, std::uint32_t attempt) {
  cri::PodSandboxConfig out;
  auto* meta = out.mutable_metadata();
  meta->set_name(config.pod_name());
  meta->set_uid(config.pod_uid());
  meta->set_namespace_(config.namespace_());
  meta->set_attempt(attempt);
  // On the host's network the hostname is the node's: CRI refuses one of its own there.
  if (!config.host_network()) out.set_hostname(config.hostname());
  out.set_log_directory(sandbox_log_directory(log_root, config));
  if (!config.host_network()) {
    auto* dns = out.mutable_dns_config();
    for (const auto& s : config.dns_servers()) dns->add_servers(s);
    for (const auto& s : config.dns_searches()) dns->add_searches(s);
    for (const auto& s : config.dns_options()) dns->add_options(s);
  }
  for (const auto& p : config.port_mappings()) {
    auto* m = out.add_port_mappings();
    m->set_protocol(protocol_of(p.protocol()));
    m->set_container_port(p.container_port());
    m->set_host_port(p.host_port());
    m->set_host_ip(p.host_ip());
  }
  copy_labels(sdk::sandbox_labels(config), *out.mutable_labels());
  auto* linux = out.mutable_linux();
  linux->set_cgroup_parent(cgroup_parent);
  share_pod_namespaces(*linux->mutable_security_context()->mutable_namespace_options(), config);
  return out;
}

std::int64_t clamp_oom_score_adj(std::int64_t requested) { return std::clamp<std::int64_t>(requested, 0, 1000); }

std::int64_t oom_score_adj_for(const rt::ContainerConfig& config) {
  bool best_effort = config.cpu_limit_millis() == 0 && config.memory_limit_bytes() == 0 && config.cpu_request_millis() == 0;
  // Burstable and Guaranteed would be lower (down to -997); 0 is as low as root may go here.
  return clamp_oom_score_adj(best_effort ? 1000 : 0);
}

cri::ContainerConfig to_cri_container(const rt::CreateContainerRequest& request) {
  const auto& config = request.config();
  cri::ContainerConfig out;
  out.mutable_metadata()->set_name(config.name());
  out.mutable_metadata()->set_attempt(static_cast<std::uint32_t>(std::max(0, config.attempt())));
  out.mutable_image()->set_image(config.image());
  for (const auto& c : config.command()) out.add_command(c);
  for (const auto& a : config.args()) out.add_args(a);
  out.set_working_dir(config.working_dir());
  for (const auto& kv : config.env()) {
    auto* env = out.add_envs();
    env->set_key(kv.key());
    env->set_value(kv.value());
  }
  for (const auto& m : config.mounts()) {
    auto* mount = out.add_mounts();
    mount->set_container_path(m.container_path());
    mount->set_host_path(m.host_path());
    mount->set_readonly(m.read_only());
  }
  copy_labels(sdk::container_labels(request), *out.mutable_labels());
  out.set_log_path(container_log_path(config));
  out.set_stdin(config.stdin());
  out.set_stdin_once(config.stdin() && config.stdin_once());
  out.set_tty(config.tty());
  auto* resources = out.mutable_linux()->mutable_resources();
  if (config.cpu_limit_millis() > 0) {
    resources->set_cpu_period(kCpuPeriodMicros);
    resources->set_cpu_quota(config.cpu_limit_millis() * kCpuPeriodMicros / 1000);
  }
  if (config.cpu_request_millis() > 0)
    resources->set_cpu_shares(std::max(kMinCpuShares, config.cpu_request_millis() * 1024 / 1000));
  resources->set_memory_limit_in_bytes(config.memory_limit_bytes());
  resources->set_oom_score_adj(oom_score_adj_for(config));
  auto* security = out.mutable_linux()->mutable_security_context();
  share_pod_namespaces(*security->mutable_namespace_options(), request.sandbox_config());
  if (!config.target_container_id().empty()) {  // an ephemeral container's target: its PID namespace
    security->mutable_namespace_options()->set_pid(cri::TARGET);
    security->mutable_namespace_options()->set_target_id(config.target_container_id());
  }
  set_security(*security, config);
  return out;
}

cri::PodSandboxConfig to_cri_sandbox_of(const rt::CreateContainerRequest& request, const std::string& log_root,
                                        const std::string& cgroup_parent) {
  cri::PodSandboxConfig out = to_cri_sandbox(request.sandbox_config(), log_root, cgroup_parent);
  if (request.config().privileged()) out.mutable_linux()->mutable_security_context()->set_privileged(true);
  return out;
}

bool needs_image_user(const rt::ContainerConfig& config) {
  return config.has_run_as_group() && !config.has_run_as_user();
}

void take_image_user(cri::ContainerConfig& config, const cri::Image& image) {
  auto* security = config.mutable_linux()->mutable_security_context();
  if (!image.username().empty()) security->set_run_as_username(image.username());
  else security->mutable_run_as_user()->set_value(image.has_uid() ? image.uid().value() : 0);
}

std::string rfc3339_from_nanos(std::int64_t nanos) {
  if (nanos <= 0) return "";
  return sdk::format_rfc3339(sdk::WallClock::time_point(
      std::chrono::duration_cast<sdk::WallClock::duration>(std::chrono::nanoseconds(nanos))));
}

rt::Sandbox from_cri(const cri::PodSandboxStatus& status) {
  rt::Sandbox out;
  out.set_id(status.id());
  out.set_state(status.state() == cri::SANDBOX_READY ? "READY" : "NOTREADY");
  out.set_ip(status.network().ip());
  out.mutable_labels()->insert(status.labels().begin(), status.labels().end());
  out.set_created_at(rfc3339_from_nanos(status.created_at()));
  return out;
}

rt::Sandbox from_cri(const cri::PodSandbox& sandbox) {
  rt::Sandbox out;
  out.set_id(sandbox.id());
  out.set_state(sandbox.state() == cri::SANDBOX_READY ? "READY" : "NOTREADY");
  out.mutable_labels()->insert(sandbox.labels().begin(), sandbox.labels().end());
  out.set_created_at(rfc3339_from_nanos(sandbox.created_at()));
  return out;
}

rt::ContainerStatus from_cri(const cri::ContainerStatus& status) {
  rt::ContainerStatus out;
  out.set_id(status.id());
  out.set_name(label_or(status.labels(), sdk::label::kContainerName, status.metadata().name()));
  out.set_image(status.image().image());
  out.set_image_ref(status.image_ref());
  switch (status.state()) {
    case cri::CONTAINER_CREATED: out.set_state("CREATED"); break;
    case cri::CONTAINER_RUNNING: out.set_state("RUNNING"); break;
    case cri::CONTAINER_EXITED: out.set_state("EXITED"); break;
    default: out.set_state("UNKNOWN"); break;
  }
  out.set_created_at(rfc3339_from_nanos(status.created_at()));
  out.set_started_at(rfc3339_from_nanos(status.started_at()));
  out.set_finished_at(rfc3339_from_nanos(status.finished_at()));
  out.set_exit_code(status.exit_code());
  std::string reason = status.reason();
  if (out.state() == "EXITED" && reason.empty()) reason = status.exit_code() == 0 ? "Completed" : "Error";
  if (out.state() != "EXITED") reason.clear();
  out.set_reason(reason);
  out.set_message(status.message());
  out.mutable_labels()->insert(status.labels().begin(), status.labels().end());
  out.set_sandbox_id(label_or(status.labels(), sdk::label::kSandboxId, ""));
  return out;
}

}  // namespace skiff::containerd
