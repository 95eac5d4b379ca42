// Registering the Node, renewing its Lease and keeping its status current, next to other writers.
#include "node_registration.hpp"

#include <spdlog/logger.h>

#include "skiff/api/coordination/v1/lease.pb.h"
#include "skiff/sdk/time.hpp"

namespace skiff::kubelet {

namespace core = api::core::v1;
namespace coordination = api::coordination::v1;

namespace {

constexpr int kConflictRetries = 5;

// Others write the Node too (the controller-manager: podCIDR, taints, conditions): a write
// that lost the race is done again on what is there now, as client-go's RetryOnConflict.
template <class Write>
void retry_on_conflict(const Write& write) {
  for (int attempt = 0;; ++attempt) {
    try {
      write();
      return;
    } catch (const sdk::Error& e) {
      if (e.status().code != 409 || attempt >= kConflictRetries) throw;
    }
  }
}

bool kubelet_owns(const std::string& condition) {
  return condition == "Ready" || condition == "MemoryPressure" || condition == "DiskPressure" ||
         condition == "PIDPressure";
}

// The status the kubelet wants, on top of what is there: its conditions keep their transition
// times while unchanged, and conditions it does not set (NetworkUnavailable …) stay.
core::NodeStatus merged_status(core::NodeStatus want, const core::NodeStatus& current) {
  for (auto& c : *want.mutable_conditions())
    for (const auto& old : current.conditions())
      if (old.type() == c.type() && old.status() == c.status()) c.set_last_transition_time(old.last_transition_time());
  for (const auto& old : current.conditions())
    if (!kubelet_owns(old.type())) *want.add_conditions() = old;
  return want;
}

}  // namespace

NodeRegistration::NodeRegistration(const sdk::ApiClient& api, const sdk::RuntimeClient& runtime, NodeOptions options,
                                   Machine machine, spdlog::logger& log)
    : api_(api), runtime_(runtime), options_(std::move(options)), machine_(std::move(machine)), log_(log) {
  host_ip_ = machine_.internal_ip.empty() ? "127.0.0.1" : machine_.internal_ip;
}

NodeRegistration::~NodeRegistration() { stop(); }

core::Taint parse_taint(const std::string& text) {
  auto colon = text.rfind(':');
  std::string effect = colon == std::string::npos ? "" : text.substr(colon + 1);
  std::string key_value = colon == std::string::npos ? text : text.substr(0, colon);
  if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute")
    throw sdk::Error(sdk::Status::Invalid("taint '" + text + "': must be key[=value]:Effect with Effect NoSchedule, "
                                          "PreferNoSchedule or NoExecute"));
  core::Taint taint;
  auto equals = key_value.find('=');
  taint.set_key(key_value.substr(0, equals));
  if (equals != std::string::npos) taint.set_value(key_value.substr(equals + 1));
  if (taint.key().empty()) throw sdk::Error(sdk::Status::Invalid("taint '" + text + "': the key is empty"));
  taint.set_effect(effect);
  return taint;
}

std::map<std::string, std::string> NodeRegistration::allocatable() const {
  return {{"cpu", options_.cpu.empty() ? std::to_string(machine_.cpus) : options_.cpu},
          {"memory", options_.memory.empty() ? std::to_string(machine_.memory_bytes / 1024) + "Ki" : options_.memory},
          {"pods", std::to_string(options_.max_pods)}};
}

core::Node NodeRegistration::desired() const {
  core::Node node;
  auto* meta = node.mutable_metadata();
  meta->set_name(options_.name);
  auto& labels = *meta->mutable_labels();
  labels["kubernetes.io/hostname"] = options_.name;
  labels["kubernetes.io/os"] = "linux";
  labels["kubernetes.io/arch"] = machine_.architecture;
  labels["beta.kubernetes.io/os"] = "linux";
  labels["beta.kubernetes.io/arch"] = machine_.architecture;
  for (const auto& [k, v] : options_.labels) labels[k] = v;
  auto* status = node.mutable_status();
  for (auto* r : {status->mutable_capacity(), status->mutable_allocatable()})
    for (const auto& [name, quantity] : allocatable()) (*r)[name] = quantity;
  auto* internal = status->add_addresses();
  internal->set_type("InternalIP");
  internal->set_address(host_ip_);
  auto* hostname = status->add_addresses();
  hostname->set_type("Hostname");
  hostname->set_address(options_.name);
  status->mutable_daemon_endpoints()->mutable_kubelet_endpoint()->set_port(options_.kubelet_port);
  auto* info = status->mutable_node_info();
  info->set_machine_id(machine_.machine_id);
  info->set_system_uuid(machine_.machine_id);
  info->set_boot_id(machine_.boot_id);
  info->set_kernel_version(machine_.kernel_version);
  info->set_os_image(machine_.os_image);
  info->set_container_runtime_version(runtime_version_);
  info->set_kubelet_version(options_.kubelet_version);
  if (proxy_running_) info->set_kube_proxy_version(options_.kubelet_version);
  info->set_operating_system("linux");
  info->set_architecture(machine_.architecture);
  std::string now = sdk::now_rfc3339();
  auto condition = [&](const char* type, const char* value, const char* reason, const std::string& message) {
    auto* c = status->add_conditions();
    c->set_type(type);
    c->set_status(value);
    c->set_reason(reason);
    c->set_message(message);
    c->set_last_heartbeat_time(now);
    c->set_last_transition_time(now);
  };
  condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available");
  condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure");
  condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available");
  if (runtime_ready_) condition("Ready", "True", "KubeletReady", "kubelet is posting ready status");
  else condition("Ready", "False", "KubeletNotReady", "container runtime is down: " + runtime_message_);
  return node;
}

void NodeRegistration::register_node() {
  try {
    auto v = runtime_.version();
    runtime_version_ = v.runtime_name() + "://" + v.runtime_version();
  } catch (const sdk::Error& e) {
    runtime_ready_ = false;
    runtime_message_ = e.status().message;
  }
  core::Node want = desired();
  for (const auto& taint : options_.register_with_taints) *want.mutable_spec()->add_taints() = taint;
  try {
    api_.create(want);
    log_.info("registered node {}", options_.name);
  } catch (const sdk::Error& e) {
    if (e.status().code != 409) throw;
    // Registered before (a restart): our labels and facts win; the rest (spec: podCIDR,
    // taints; other components' conditions) stays.
    retry_on_conflict([&] {
      core::Node current = api_.get<core::Node>("", options_.name);
      for (const auto& [k, v] : want.metadata().labels()) (*current.mutable_metadata()->mutable_labels())[k] = v;
      current = api_.update(current);
      pass_pod_cidr(current);
      *current.mutable_status() = merged_status(want.status(), current.status());
      api_.update(current, "status");
    });
    log_.info("node {} registered before: updated", options_.name);
  }
  renew_lease();
}

void NodeRegistration::renew_lease() {
  std::string now = sdk::format_rfc3339_micro(sdk::WallClock::now());
  try {
    auto lease = api_.get<coordination::Lease>("kube-node-lease", options_.name);
    lease.mutable_spec()->set_renew_time(now);
    lease.mutable_spec()->set_holder_identity(options_.name);
    api_.update(lease);
  } catch (const sdk::Error& e) {
    if (e.status().code != 404) throw;
    coordination::Lease lease;
    lease.mutable_metadata()->set_name(options_.name);
    lease.mutable_metadata()->set_namespace_("kube-node-lease");
    lease.mutable_spec()->set_holder_identity(options_.name);
    lease.mutable_spec()->set_lease_duration_seconds(40);
    lease.mutable_spec()->set_renew_time(now);
    api_.create(lease);
  }
}

// The runtime learns the node's pod subnet as CRI's UpdateRuntimeConfig tells it; a runtime
// written before that op answers 404, which is fine: it does its networking elsewhere.
void NodeRegistration::pass_pod_cidr(const core::Node& node) {
  const std::string& cidr = node.spec().pod_cidr();
  if (cidr.empty() || cidr == pod_cidr_) return;
  try {
    runtime_.update_runtime_config(cidr);
  } catch (const sdk::Error& e) {
    if (e.status().code != 404) throw;
  }
  pod_cidr_ = cidr;
  log_.info("node {}: pod subnet {}", options_.name, cidr);
}

void NodeRegistration::update_status() {
  core::Node want = desired();
  retry_on_conflict([&] {
    core::Node current = api_.get<core::Node>("", options_.name);
    pass_pod_cidr(current);
    *current.mutable_status() = merged_status(want.status(), current.status());
    api_.update(current, "status");
  });
}

bool NodeRegistration::proxy_changed() {
  bool running = options_.proxy_running && options_.proxy_running();
  bool changed = running != proxy_running_;
  proxy_running_ = running;
  return changed;
}

void NodeRegistration::start() {
  thread_ = std::thread([this] { loop(); });
}

void NodeRegistration::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NodeRegistration::loop() {
  auto last_status = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.lease_interval, [&] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    try {
      renew_lease();
      if (pod_cidr_.empty()) pass_pod_cidr(api_.get<core::Node>("", options_.name));  // until IPAM gave one
      auto status = runtime_.status();
      bool changed = status.ready() != runtime_ready_ || proxy_changed();
      runtime_ready_ = status.ready();
      runtime_message_ = status.message();
      if (changed || std::chrono::steady_clock::now() - last_status >= options_.status_interval) {
        update_status();
        last_status = std::chrono::steady_clock::now();
      }
    } catch (const std::exception& e) {
      bool was_ready = runtime_ready_;
      runtime_ready_ = false;
      runtime_message_ = e.what();
      if (was_ready) log_.warn("node {}: {}", options_.name, e.what());
    }
    lock.lock();
  }
}

}  // namespace skiff::kubelet
