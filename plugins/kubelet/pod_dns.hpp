// A pod's /etc/resolv.conf as Kubernetes' kubelet makes it (pkg/kubelet/network/dns): from the
// pod's dnsPolicy and dnsConfig, the node's cluster DNS addresses and domain, and the node's
// own resolv.conf.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/runtime/v1/runtime.pb.h"

namespace skiff::kubelet {

// The kubelet's cluster_dns, cluster_domain and resolv_conf (its --cluster-dns,
// --cluster-domain and --resolv-conf).
struct DnsSettings {
  std::vector<std::string> cluster_dns{"10.96.0.10"};
  std::string cluster_domain = "cluster.local";
  std::string resolv_conf = "/etc/resolv.conf";  // "": none (Default pods then ask 127.0.0.1)
};

// What a resolv.conf says (CRI's DNSConfig).
struct ResolverConfig {
  std::vector<std::string> servers;
  std::vector<std::string> searches;
  std::vector<std::string> options;  // "ndots:5", "rotate"
  bool operator==(const ResolverConfig&) const = default;
};

// Kubernetes' parseResolvConf: nameserver lines accumulate, the last search and the last
// options line win, a search domain's trailing dot is dropped, # comments are skipped.
ResolverConfig parse_resolv_conf(std::string_view text);

// The resolver file at `path`, parsed; nullopt when it cannot be read.
std::optional<ResolverConfig> read_resolv_conf(const std::string& path);

// The file as the runtime writes it for Kubernetes (containerd): search, nameservers, options;
// a line only when it has something to say.
std::string render_resolv_conf(const ResolverConfig& config);

// A pod's resolver configuration, and what its events say about it.
struct PodDns {
  ResolverConfig config;
  struct Warning {
    std::string reason;  // DNSConfigForming, MissingClusterDNS
    std::string message;
  };
  std::vector<Warning> warnings;
};

// Kubernetes' GetPodDNS, given the node's resolv.conf already parsed (`host`; unused when
// settings.resolv_conf is empty): ClusterFirst (and ClusterFirstWithHostNet; ClusterFirst
// with hostNetwork is Default) asks the cluster DNS with the cluster's search domains before
// the host's and ndots:5; Default is the host's; None starts empty; then dnsConfig is merged
// (nameservers and searches appended without duplicates, options replaced by name) and the
// result cut to 3 nameservers and 32 search domains of at most 2048 characters.
PodDns pod_dns(const api::core::v1::Pod& pod, const DnsSettings& settings, const ResolverConfig& host);

// The same with the node's resolv.conf read from settings.resolv_conf; throws sdk::Error
// naming the file when it cannot be read.
PodDns pod_dns_on_node(const api::core::v1::Pod& pod, const DnsSettings& settings);

// Hands the configuration to the runtime with the sandbox, as CRI's DNSConfig.
void set_sandbox_dns(runtime::v1::SandboxConfig& sandbox, const ResolverConfig& config);

// Mounts the pod's resolv.conf file at /etc/resolv.conf, unless the container mounts
// something there itself (as containerd leaves a CRI mount of that path alone).
void mount_resolv_conf(runtime::v1::ContainerConfig& container, const std::string& file);

// Where a pod's resolv.conf lives: <pod dir>/resolv.conf.
std::string resolv_conf_file(const std::string& pod_dir);

}  // namespace skiff::kubelet
