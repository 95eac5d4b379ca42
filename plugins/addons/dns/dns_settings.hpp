// The addon's configuration keys, and what they become: the zone's, the forwarder's and the
// node-local address's settings. Every bad value is refused before anything starts.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "skiff/sdk/config.hpp"
#include "upstream_forwarder.hpp"
#include "zone_config.hpp"

namespace skiff::dns {

struct Settings {
  std::string zone;
  std::int64_t ttl = 30;
  std::int64_t negative_ttl = 5;
  PodRecords pod_records = PodRecords::Verified;
  std::string cluster_dns_ip;
  std::string service_cidr;
  std::string cluster_cidr;
  bool node_local = true;
  std::string interface;
  std::string nft_table;
  std::string node_address;
  std::vector<std::string> node_address_clients;
  bool create_service = true;
  std::vector<std::string> upstreams;
  std::chrono::milliseconds forward_timeout{};
  std::int64_t cache_size = 10000;
  bool autopath = true;
  std::int64_t ndots = 5;
  std::string node_resolv_conf;
  std::int64_t workers = 0;
  std::int64_t udp_payload = 1232;
  std::int64_t port = 53;
};

// The keys with types, defaults and descriptions (the plugin's manifest and README table).
sdk::ConfigTable config_table();
// Throws sdk::Error(422) naming the key when a value is out of range or malformed.
Settings read_settings(const sdk::Config& config);

ZoneConfig zone_config(const Settings& settings);
// `upstreams`: addresses, and resolv.conf files whose nameservers join in order; the cluster
// DNS address itself is left out (asking ourselves would loop).
ForwarderConfig forwarder_config(const Settings& settings);

}  // namespace skiff::dns
