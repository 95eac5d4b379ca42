#include "container_spec.hpp"

#include <filesystem>

#include "claim_volumes.hpp"
#include "volume_payloads.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/sdk/quantity.hpp"

namespace skiff::kubelet {

namespace core = api::core::v1;
namespace rt = runtime::v1;
namespace fs = std::filesystem;

namespace {

[[noreturn]] void config_error(const std::string& message) {
  throw sdk::Error(sdk::Status{422, "CreateContainerConfigError", message});
}

// subPath: a directory inside the volume, made when missing, as the kubelet does; it may not
// climb out of the volume (the API refuses absolute paths and "..", this refuses them again).
std::string with_sub_path(const std::string& source, const std::string& sub_path) {
  if (sub_path.empty()) return source;
  fs::path relative(sub_path);
  if (relative.is_absolute()) config_error("subPath " + sub_path + " must be a relative path");
  for (const auto& part : relative)
    if (part == "..") config_error("subPath " + sub_path + " must not contain '..'");
  fs::path full = fs::path(source) / relative;
  std::error_code ec;
  if (!fs::exists(full, ec)) fs::create_directories(full, ec);
  return full.string();
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

void add_env(rt::ContainerConfig& config, const std::string& key, const std::string& value) {
  for (auto& kv : *config.mutable_env())
    if (kv.key() == key) {
      kv.set_value(value);
      return;
    }
  auto* kv = config.add_env();
  kv->set_key(key);
  kv->set_value(value);
}

std::string volume_dir(const std::string& pod_dir, const std::string& name) { return pod_dir + "/volumes/" + name; }

}  // namespace

rt::SandboxConfig sandbox_config(const core::Pod& pod, const std::string& node) {
  rt::SandboxConfig c;
  c.set_pod_uid(pod.metadata().uid());
  c.set_pod_name(pod.metadata().name());
  c.set_namespace_(pod.metadata().namespace_());
  c.set_hostname(pod.spec().hostname().empty() ? pod.metadata().name() : pod.spec().hostname());
  c.set_host_network(pod.spec().host_network());
  c.set_host_pid(pod.spec().host_pid());
  c.set_host_ipc(pod.spec().host_ipc());
  c.set_share_process_namespace(pod.spec().share_process_namespace());
  (*c.mutable_labels())[kLabelNode] = node;
  for (const auto& container : pod.spec().containers())
    for (const auto& port : container.ports()) {
      if (port.host_port() == 0) continue;
      auto* p = c.add_port_mappings();
      p->set_protocol(port.protocol().empty() ? "TCP" : port.protocol());
      p->set_container_port(port.container_port());
      p->set_host_port(port.host_port());
      p->set_host_ip(port.host_ip());
    }
  if (pod.spec().has_runtime_class_name()) c.set_runtime_handler(pod.spec().runtime_class_name());
  return c;
}

void prepare_volumes(const core::Pod& pod, const std::string& pod_dir, const sdk::ApiClient& api,
                     const DownwardContext& context) {
  for (const auto& v : pod.spec().volumes()) {
    std::string dir = volume_dir(pod_dir, v.name());
    if (has_payload(v)) write_atomically(dir, volume_payload(pod, v, api, context));
    else if (v.has_persistent_volume_claim()) dir = claim_volume_path(pod, v, api);
    else if (!v.has_host_path()) fs::create_directories(dir);  // emptyDir (and anything else: an empty directory)
    bool writable = v.has_persistent_volume_claim() ? !v.persistent_volume_claim().read_only() : v.has_empty_dir();
    if (writable && pod.spec().security_context().has_fs_group()) apply_fs_group(dir, pod.spec().security_context().fs_group());
  }
}

bool refresh_pod_volumes(const core::Pod& pod, const std::string& pod_dir, const sdk::ApiClient& api,
                         const DownwardContext& context, bool tokens_due) {
  bool wrote = false;
  for (const auto& v : pod.spec().volumes())
    if (reads_the_pod(v) || (tokens_due && holds_token(v))) wrote |= write_atomically(volume_dir(pod_dir, v.name()), volume_payload(pod, v, api, context));
  return wrote;
}

// The container's securityContext over the pod's: capabilities, read-only root, privileged,
// the user and group, no new privileges.
void set_security(rt::ContainerConfig& c, const core::Pod& pod, const core::Container& container) {
  const auto& pod_sc = pod.spec().security_context();
  const auto& sc = container.security_context();
  for (const auto& cap : sc.capabilities().add()) c.add_capabilities_add(cap);
  for (const auto& cap : sc.capabilities().drop()) c.add_capabilities_drop(cap);
  c.set_read_only_root(sc.has_read_only_root_filesystem() && sc.read_only_root_filesystem());
  c.set_privileged(sc.has_privileged() && sc.privileged());
  c.set_no_new_privileges(sc.has_allow_privilege_escalation() && !sc.allow_privilege_escalation());
  if (sc.has_run_as_user()) c.set_run_as_user(sc.run_as_user());
  else if (pod_sc.has_run_as_user()) c.set_run_as_user(pod_sc.run_as_user());
  if (sc.has_run_as_group()) c.set_run_as_group(sc.run_as_group());
  else if (pod_sc.has_run_as_group()) c.set_run_as_group(pod_sc.run_as_group());
}

rt::ContainerConfig container_config(const core::Pod& pod, const core::Container& container, int attempt,
                                     const std::string& pod_dir, const DownwardContext& context, const sdk::ApiClient& api) {
  const std::string& ns = pod.metadata().namespace_();
  rt::ContainerConfig c;
  c.set_name(container.name());
  c.set_image(container.image());
  for (const auto& part : container.command()) c.add_command(part);
  for (const auto& part : container.args()) c.add_args(part);
  c.set_working_dir(container.working_dir());
  c.set_attempt(attempt);
  c.set_tty(container.tty());
  c.set_stdin(container.stdin());
  c.set_stdin_once(container.stdin_once());

  for (const auto& [key, value] : context.service_env) add_env(c, key, value);
  for (const auto& from : container.env_from()) {
    if (from.has_config_map_ref()) {
      auto cm = fetch<core::ConfigMap>(api, ns, from.config_map_ref().name());
      if (!cm && !from.config_map_ref().optional()) config_error("configmap \"" + from.config_map_ref().name() + "\" not found");
      if (cm)
        for (const auto& [k, v] : cm->data()) add_env(c, from.prefix() + k, v);
    } else if (from.has_secret_ref()) {
      auto secret = fetch<core::Secret>(api, ns, from.secret_ref().name());
      if (!secret && !from.secret_ref().optional()) config_error("secret \"" + from.secret_ref().name() + "\" not found");
      if (secret)
        for (const auto& [k, v] : secret->data()) add_env(c, from.prefix() + k, v);
    }
  }
  for (const auto& env : container.env()) {
    if (!env.has_value_from()) {
      add_env(c, env.name(), env.value());
      continue;
    }
    const auto& from = env.value_from();
    if (from.has_field_ref()) {
      add_env(c, env.name(), field_ref_value(pod, from.field_ref(), context));
    } else if (from.has_config_map_key_ref()) {
      const auto& ref = from.config_map_key_ref();
      auto cm = fetch<core::ConfigMap>(api, ns, ref.name());
      auto it = cm ? cm->data().find(ref.key()) : google::protobuf::Map<std::string, std::string>::const_iterator();
      if (!cm || it == cm->data().end()) {
        if (ref.optional()) continue;
        config_error(cm ? "couldn't find key " + ref.key() + " in ConfigMap " + ns + "/" + ref.name()
                        : "configmap \"" + ref.name() + "\" not found");
      }
      add_env(c, env.name(), it->second);
    } else if (from.has_secret_key_ref()) {
      const auto& ref = from.secret_key_ref();
      auto secret = fetch<core::Secret>(api, ns, ref.name());
      auto it = secret ? secret->data().find(ref.key()) : google::protobuf::Map<std::string, std::string>::const_iterator();
      if (!secret || it == secret->data().end()) {
        if (ref.optional()) continue;
        config_error(secret ? "couldn't find key " + ref.key() + " in Secret " + ns + "/" + ref.name()
                            : "secret \"" + ref.name() + "\" not found");
      }
      add_env(c, env.name(), it->second);
    } else if (from.has_resource_field_ref()) {
      add_env(c, env.name(), resource_field_value(pod, &container, from.resource_field_ref(), context));
    }
  }
  // Kubernetes' service-less defaults every container sees.
  add_env(c, "HOSTNAME", pod.spec().hostname().empty() ? pod.metadata().name() : pod.spec().hostname());

  const auto& limits = container.resources().limits();
  const auto& requests = container.resources().requests();
  if (auto it = limits.find("cpu"); it != limits.end()) c.set_cpu_limit_millis(sdk::parse_quantity_milli(it->second).value_or(0));
  if (auto it = limits.find("memory"); it != limits.end()) c.set_memory_limit_bytes(sdk::parse_quantity(it->second).value_or(0));
  if (auto it = requests.find("cpu"); it != requests.end())
    c.set_cpu_request_millis(sdk::parse_quantity_milli(it->second).value_or(0));

  for (const auto& mount : container.volume_mounts()) {
    const core::Volume* volume = nullptr;
    for (const auto& v : pod.spec().volumes())
      if (v.name() == mount.name()) volume = &v;
    if (!volume) config_error("volume mount " + mount.name() + " names no volume of the pod");
    auto* m = c.add_mounts();
    m->set_container_path(mount.mount_path());
    std::string source = volume->has_host_path()                ? volume->host_path().path()
                         : volume->has_persistent_volume_claim() ? claim_volume_path(pod, *volume, api)
                                                                 : volume_dir(pod_dir, volume->name());
    m->set_host_path(with_sub_path(source, mount.sub_path()));
    m->set_read_only(mount.read_only() || has_payload(*volume) ||
                     (volume->has_persistent_volume_claim() && volume->persistent_volume_claim().read_only()));
  }
  set_security(c, pod, container);
  return c;
}

}  // namespace skiff::kubelet
