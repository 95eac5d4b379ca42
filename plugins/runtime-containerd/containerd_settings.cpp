#include "containerd_settings.hpp"

namespace skiff::containerd {

using sdk::bind_key;

const sdk::ConfigMap<Settings>& config_map() {
  static const sdk::ConfigMap<Settings> map{
      bind_key("socket", &Settings::socket, "/run/skiff/containerd/containerd.sock",
               "containerd's gRPC socket (Skiff's own containerd: `scripts/containerd.sh` starts it)"),
      bind_key("namespace", &Settings::namespace_, "k8s.io",
               "the containerd namespace of pods and images (CRI's; import images there: `ctr -n k8s.io images import`)"),
      bind_key("sandbox_image", &Settings::sandbox_image, "skiff/pause:1",
               "the pod sandbox image, checked at start (containerd's config names it: its CRI `sandbox_image`)"),
      bind_key("log_directory", &Settings::log_directory, "",
               "where CRI writes container logs, one directory per pod (unset: `<plugin data dir>/pods`)"),
      bind_key("cni_conf_dir", &Settings::cni_conf_dir, "",
               "where the node's network plugin writes its conflist (unset: `<node data dir>/cni/net.d`)"),
      bind_key("containerd_cni_conf_dir", &Settings::containerd_cni_conf_dir, "/run/skiff/containerd/net.d",
               "the CNI conf dir of containerd's config, which this plugin keeps filled (scripts/containerd.sh's)"),
      bind_key("default_bridge", &Settings::default_bridge, "skiff-cd0",
               "without a network plugin's conflist: the bridge of the default CNI network"),
      bind_key("default_pod_cidr", &Settings::default_pod_cidr, "10.88.0.0/16",
               "without a network plugin's conflist: the default network's subnet (not the node's podCIDR: that is "
               "the network plugin's, and every node on this containerd shares the default network)"),
      bind_key("default_ipam_dir", &Settings::default_ipam_dir, "/var/lib/skiff-containerd/cni/networks",
               "without a network plugin's conflist: host-local's address records, one place for every node on this "
               "containerd"),
      bind_key("cgroup_parent", &Settings::cgroup_parent, "/skiff", "the cgroup (cgroupfs) pods are created under"),
      bind_key("timeout", &Settings::timeout, "30s", "longest wait for one CRI call (stops add their grace period)")
          .range("100ms", "10m"),
  };
  return map;
}

}  // namespace skiff::containerd
