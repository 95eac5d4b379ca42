// The controller-manager's settings and the config table that declares, documents and reads them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "skiff/sdk/config_binding.hpp"

namespace skiff::controllers {

// Every controller this plugin can run, in the order they start.
inline const std::vector<std::string> kControllerNames = {"replicaset",       "deployment",    "endpoint",
                                                          "endpointslice",    "nodelifecycle", "garbagecollector",
                                                          "nodeipam",         "podgc",
                                                          "persistentvolume", "volumeprotection",
                                                          "job",              "ttlafterfinished", "cronjob",
                                                          "disruption",       "daemonset",        "statefulset",
                                                          "horizontalpodautoscaling"};

struct ControllerManagerSettings {
  std::vector<std::string> controllers;
  std::int64_t workers = 0;
  std::int64_t max_endpoints_per_slice = 0;
  std::chrono::milliseconds node_monitor_grace_period{};
  std::chrono::milliseconds node_monitor_period{};
  std::chrono::milliseconds pod_eviction_timeout{};
  bool allocate_node_cidrs = true;
  std::string cluster_cidr;
  std::int64_t node_cidr_mask_size = 0;
  std::string service_cidr;
  bool leader_elect = true;
  std::chrono::milliseconds lease_duration{};
  std::chrono::milliseconds renew_deadline{};
  std::chrono::milliseconds retry_period{};
  std::string cronjob_clock_configmap;
  std::chrono::milliseconds horizontal_pod_autoscaler_sync_period{};
  double horizontal_pod_autoscaler_tolerance = 0;
  std::chrono::milliseconds horizontal_pod_autoscaler_downscale_stabilization{};
  std::chrono::milliseconds horizontal_pod_autoscaler_cpu_initialization_period{};
  std::chrono::milliseconds horizontal_pod_autoscaler_initial_readiness_delay{};
};

const sdk::ConfigMap<ControllerManagerSettings>& controller_manager_config();

}  // namespace skiff::controllers
