// How the cluster zone is served: its name, TTLs, which records exist, which reverse zones
// are ours, and when search paths may be short-circuited. Parsed once into ZoneSettings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cluster_objects.hpp"
#include "dns_name.hpp"
#include "rdata.hpp"

namespace skiff::dns {

// `<a-b-c-d>.<ns>.pod.<zone>`: only for pods that exist (CoreDNS "pods verified"), for any
// address in any namespace (the deprecated kube-dns behaviour, "pods insecure"), or never.
enum class PodRecords { Verified, Insecure, Disabled };

struct ZoneConfig {
  std::string zone = "cluster.local";
  std::uint32_t ttl = 30;          // every record we serve
  std::uint32_t negative_ttl = 5;  // SOA minimum: how long NXDOMAIN/NODATA may be cached
  PodRecords pod_records = PodRecords::Verified;
  // Reverse zones answered with authority (Service and pod CIDRs): "10.96.0.0/12", "fd00::/108".
  std::vector<std::string> reverse_cidrs;
  // The addresses of `ns.dns.<zone>`, the zone's NS (the cluster DNS Service's address).
  std::vector<IpAddress> nameserver_addresses;
  bool schema_version_record = true;  // dns-version.<zone> TXT
  // Search-path short circuit: on, the pods' ndots, and the node's own search domains that
  // kubelet appends to the pods' search lists (any makes the short circuit inexact: off).
  bool autopath = true;
  unsigned ndots = 5;
  std::vector<std::string> host_search_domains;
};

struct ReverseCidr {
  IpAddress network;
  unsigned prefix = 0;
};

// ZoneConfig checked and turned into wire names.
struct ZoneSettings {
  explicit ZoneSettings(const ZoneConfig& config);  // throws std::invalid_argument naming the bad key

  ZoneConfig config;
  WireName apex;         // cluster.local.
  WireName services;     // svc.cluster.local.
  WireName pods;         // pod.cluster.local.
  WireName nameserver;   // ns.dns.cluster.local.
  WireName version_name; // dns-version.cluster.local.
  SoaFields soa;
  std::vector<ReverseCidr> reverse_cidrs;
};

}  // namespace skiff::dns
