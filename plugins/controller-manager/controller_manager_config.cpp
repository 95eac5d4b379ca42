// The config table of the controller-manager (its README's table is generated from it).
#include "controller_manager_config.hpp"

namespace skiff::controllers {

const sdk::ConfigMap<ControllerManagerSettings>& controller_manager_config() {
  using S = ControllerManagerSettings;
  using sdk::bind_key;
  static const sdk::ConfigMap<S> map{
      bind_key("controllers", &S::controllers,
               "[replicaset, deployment, endpoint, endpointslice, nodelifecycle, garbagecollector, nodeipam, podgc, "
               "persistentvolume, volumeprotection, job, ttlafterfinished, cronjob, disruption, daemonset, statefulset, "
               "horizontalpodautoscaling]",
               "which controllers run (any of: replicaset, deployment, endpoint, endpointslice, nodelifecycle, "
               "garbagecollector, nodeipam, podgc, persistentvolume, volumeprotection, job, ttlafterfinished, "
               "cronjob, disruption, daemonset, statefulset, horizontalpodautoscaling)"),
      bind_key("workers", &S::workers, "5", "objects each controller reconciles at once").at_least(1),
      bind_key("max_endpoints_per_slice", &S::max_endpoints_per_slice, "100",
               "endpointslice: the most endpoints it puts in one EndpointSlice (Kubernetes' limit is 1000)")
          .range(1, 1000),
      bind_key("node_monitor_grace_period", &S::node_monitor_grace_period, "40s",
               "a node silent this long turns Ready=Unknown"),
      bind_key("node_monitor_period", &S::node_monitor_period, "5s", "how often each node's heartbeat is checked"),
      bind_key("pod_eviction_timeout", &S::pod_eviction_timeout, "5m",
               "pods on an unreachable node that do not tolerate it for a time of their own are evicted after this"),
      bind_key("allocate_node_cidrs", &S::allocate_node_cidrs, "true",
               "nodeipam gives each node a spec.podCIDR from cluster_cidr (false: nodeipam does nothing)"),
      bind_key("cluster_cidr", &S::cluster_cidr, "10.244.0.0/16", "the IPv4 range node pod CIDRs are cut from"),
      bind_key("node_cidr_mask_size", &S::node_cidr_mask_size, "24",
               "the prefix length of each node's pod CIDR (longer than cluster_cidr's, by at most 16)")
          .range(8, 30),
      bind_key("service_cidr", &S::service_cidr, "10.96.0.0/12",
               "Service cluster IPs, which cluster_cidr must not overlap; must match the apiserver's service_cidr"),
      bind_key("leader_elect", &S::leader_elect, "true", "replicas elect one active controller-manager through a Lease"),
      bind_key("lease_duration", &S::lease_duration, "15s", "how long a leader's lease lasts without renewal"),
      bind_key("renew_deadline", &S::renew_deadline, "10s", "a leader that cannot renew for this long steps down"),
      bind_key("retry_period", &S::retry_period, "2s", "how often the lease is tried or renewed"),
      bind_key("cronjob_clock_configmap", &S::cronjob_clock_configmap, "",
               "for tests only: \"namespace/name\" of a ConfigMap whose data.now (RFC 3339) is the cronjob "
               "controller's clock, so a test moves time instead of waiting (empty: the system clock)"),
      bind_key("horizontal_pod_autoscaler_sync_period", &S::horizontal_pod_autoscaler_sync_period, "15s",
               "how often each HorizontalPodAutoscaler reads its metrics and rescales its target")
          .range("100ms", "1h"),
      bind_key("horizontal_pod_autoscaler_tolerance", &S::horizontal_pod_autoscaler_tolerance, "0.1",
               "the HPA leaves the replicas alone while usage/target is within 1 ± this")
          .range("0", "1"),
      bind_key("horizontal_pod_autoscaler_downscale_stabilization", &S::horizontal_pod_autoscaler_downscale_stabilization,
               "5m", "an HPA scales down to the highest recommendation of this window (HPAs without spec.behavior, "
                     "and behaviors that set no scaleDown window)"),
      bind_key("horizontal_pod_autoscaler_cpu_initialization_period", &S::horizontal_pod_autoscaler_cpu_initialization_period,
               "5m", "after a pod starts, its cpu samples count only once it is ready and a whole sample window has "
                     "passed since"),
      bind_key("horizontal_pod_autoscaler_initial_readiness_delay", &S::horizontal_pod_autoscaler_initial_readiness_delay,
               "30s", "after a pod starts, readiness changes within this delay count as its first readiness"),
  };
  return map;
}

}  // namespace skiff::controllers
