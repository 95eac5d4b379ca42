// Instance metadata from the Node itself, and the liveness probe through the node's kernel.
#include "local_instances.hpp"

#include "skiff/sdk/subjects.hpp"

namespace skiff::cloud_local {

namespace cp = cloudprovider::v1;

cp::InstanceMetadataResponse instance_metadata(const api::core::v1::Node& node, const InstanceSettings& settings) {
  cp::InstanceMetadataResponse metadata;
  metadata.set_provider_id(std::string(kProviderName) + "://" + node.metadata().name());
  metadata.set_instance_type(settings.instance_type);
  metadata.set_zone(settings.zone);
  metadata.set_region(settings.region);
  bool has_hostname = false;
  for (const auto& address : node.status().addresses()) {
    *metadata.add_node_addresses() = address;
    has_hostname = has_hostname || address.type() == "Hostname";
  }
  if (!has_hostname) {
    auto* hostname = metadata.add_node_addresses();
    hostname->set_type("Hostname");
    hostname->set_address(node.metadata().name());
  }
  return metadata;
}

bool KernelProbe::answers(const std::string& node) const {
  sdk::Subjects subjects(cluster_, node);
  return bus_.request(subjects.kernel_status(), "", timeout_).ok();
}

bool KernelProbe::exists(const api::core::v1::Node& node) const {
  const auto& name = node.metadata().name();
  if (answers(name)) return true;
  if (stops_ && stops_->stopped_cleanly(name)) return true;
  return silent_for_less_than(node, gone_after_, sdk::WallClock::now());
}

bool KernelProbe::shut_down(const api::core::v1::Node& node) const {
  const auto& name = node.metadata().name();
  if (!stops_ || !stops_->stopped_cleanly(name)) return false;
  if (!answers(name)) return true;
  stops_->running(name);
  return false;
}

bool silent_for_less_than(const api::core::v1::Node& node, std::chrono::milliseconds gone_after,
                          sdk::WallClock::time_point now) {
  for (const auto& condition : node.status().conditions()) {
    if (condition.type() != "Ready") continue;
    if (condition.status() == "True") return true;
    auto since = sdk::parse_rfc3339(condition.last_transition_time());
    return since && now - *since < gone_after;
  }
  return false;
}

}  // namespace skiff::cloud_local
