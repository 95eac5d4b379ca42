#include "runc_settings.hpp"

namespace skiff::runc {

using sdk::bind_key;

const sdk::ConfigMap<Settings>& config_map() {
  static const sdk::ConfigMap<Settings> map{
      bind_key("root", &Settings::root, "",
               "where images, sandboxes, containers, logs and runc's state live (unset: the plugin's data dir)"),
      bind_key("runc", &Settings::runc, "/usr/sbin/runc", "the runc binary (Debian's runc 1.1.5)"),
      bind_key("monitor", &Settings::monitor, "",
               "the per-container monitor binary (unset: `skiff-runc-monitor` beside this plugin's .so)"),
      bind_key("init", &Settings::init, "",
               "each container's PID 1, forwarding signals and reaping orphans (unset: `skiff-runc-init` beside this "
               "plugin's .so)"),
      bind_key("insecure_registries", &Settings::insecure_registries, "[]",
               "registries (host or host:port) reached over plain HTTP; loopback ones always are"),
      bind_key("image_archives", &Settings::image_archives, "[]",
               "`docker save` or OCI layout archives imported at start (their images are then present)"),
      bind_key("pull_timeout", &Settings::pull_timeout, "5m", "longest wait for one registry request").range("1s", "1h"),
      bind_key("cni_conf_dir", &Settings::cni_conf_dir, "",
               "where the node's network plugin writes its conflist (unset: `<node data dir>/cni/net.d`)"),
      bind_key("cni_bin_dirs", &Settings::cni_bin_dirs, "[/usr/lib/cni, /opt/cni/bin]",
               "where the CNI plugins are, searched in order"),
      bind_key("cni_timeout", &Settings::cni_timeout, "30s", "longest run of one CNI plugin; then it is killed")
          .range("1s", "10m"),
      bind_key("default_bridge", &Settings::default_bridge, "skiff-runc0",
               "without a network plugin's conflist: the bridge of the default CNI network"),
      bind_key("default_pod_cidr", &Settings::default_pod_cidr, "10.89.0.0/16",
               "without a network plugin's conflist: the default network's subnet"),
      bind_key("default_ipam_dir", &Settings::default_ipam_dir, "/var/lib/skiff-runc/cni/networks",
               "without a network plugin's conflist: host-local's address records, one place for every node on this "
               "machine (they share the bridge, so they must not hand out the same address)"),
      bind_key("cgroup_parent", &Settings::cgroup_parent, "/skiff-runc",
               "the cgroup (v1, cgroupfs) containers are created under"),
      bind_key("log_max_bytes", &Settings::log_max_bytes, "10485760",
               "a container's log file is rotated when it grows past this").at_least(4096),
      bind_key("log_max_files", &Settings::log_max_files, "2", "log files kept per container, the current one included")
          .at_least(1),
  };
  return map;
}

}  // namespace skiff::runc
