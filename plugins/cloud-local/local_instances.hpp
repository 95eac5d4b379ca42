// InstancesV2 for machines you run yourself: a node's instance is its own machine, named by
// the node (machine-ids repeat across network-namespace nodes of one host), alive while that
// node's skiffd answers on the bus. Metadata comes from the Node's own status and the config.
#pragma once

#include <chrono>
#include <string>

#include "skiff/cloudprovider/v1/cloudprovider.pb.h"
#include "clean_stops.hpp"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::cloud_local {

inline constexpr const char* kProviderName = "local";

struct InstanceSettings {
  std::string zone = "local";
  std::string region = "local";
  std::string instance_type = "local";
};

// providerID "local://<node name>", the node's addresses, the configured zone, region and type.
cloudprovider::v1::InstanceMetadataResponse instance_metadata(const api::core::v1::Node& node,
                                                              const InstanceSettings& settings);

// Whether a node's machine is there: its skiffd answers `kernel.status` within `timeout`, it
// stopped cleanly (shut down, expected back: it stays until it answers again or its Node is
// deleted), or it has been silent for less than `gone_after` — counted from the Ready
// condition's last transition, kept in the API, so a restarted provider judges as the one
// before did. A node agent being restarted or upgraded (NotReady for a while) keeps its Node.
class KernelProbe {
 public:
  // `stops`: the clean stops heard on the bus; null: none are (no machine is ever shut down).
  KernelProbe(sdk::Bus& bus, std::string cluster, std::chrono::milliseconds timeout,
              std::chrono::milliseconds gone_after = std::chrono::minutes(5), CleanStops* stops = nullptr)
      : bus_(bus), cluster_(std::move(cluster)), timeout_(timeout), gone_after_(gone_after), stops_(stops) {}
  bool answers(const std::string& node) const;
  bool exists(const api::core::v1::Node& node) const;
  // Stopped cleanly and silent since; a node that answers again is forgotten as stopped.
  bool shut_down(const api::core::v1::Node& node) const;

 private:
  sdk::Bus& bus_;
  std::string cluster_;
  std::chrono::milliseconds timeout_, gone_after_;
  CleanStops* stops_;
};

// Whether a node that does not answer still counts as there: Ready, or not Ready for less than
// `gone_after` at `now`. A node never Ready, or with no transition time, is not.
bool silent_for_less_than(const api::core::v1::Node& node, std::chrono::milliseconds gone_after,
                          sdk::WallClock::time_point now);

}  // namespace skiff::cloud_local
