// Keeps a ClusterZone equal to the cluster: informers on Services, EndpointSlices and Pods,
// each event applied to the zone at once (one object's records replaced, nothing rebuilt).
#pragma once

#include <mutex>
#include <string>

#include "cluster_zone.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"
#include "skiff/sdk/informer.hpp"

namespace spdlog {
class logger;
}

namespace skiff::dns {

class ZoneFeeder {
 public:
  ZoneFeeder(sdk::Bus& bus, const sdk::Subjects& subjects, ClusterZone& zone, spdlog::logger& log);
  ~ZoneFeeder();

  void start();
  void stop();
  bool synced() const;
  std::size_t services() const { return services_.size(); }
  std::size_t pods() const { return pods_.size(); }

 private:
  void refresh_service(const std::string& namespace_, const std::string& name);
  void pod_changed(const api::core::v1::Pod& pod);
  void pod_gone(const api::core::v1::Pod& pod);

  ClusterZone& zone_;
  spdlog::logger& log_;
  // Informers call from their own threads: one refresh at a time, so an older read of a
  // Service and its slices never lands after a newer one.
  std::mutex refresh_mutex_;
  sdk::Informer<api::core::v1::Service> services_;
  sdk::Informer<api::discovery::v1::EndpointSlice> slices_;
  sdk::Informer<api::core::v1::Pod> pods_;
};

}  // namespace skiff::dns
