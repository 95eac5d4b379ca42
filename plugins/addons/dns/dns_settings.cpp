// Keys, defaults and their checks; the defaults are Kubernetes' (cluster.local, 10.96.0.10,
// ndots 5) and CoreDNS's (TTL 30 s, verified pod records).
#include "dns_settings.hpp"

#include "resolv_conf.hpp"
#include "skiff/sdk/cidr.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::dns {

namespace {

using sdk::bind_key;

const sdk::ConfigMap<Settings>& config_map() {
  static const sdk::ConfigMap<Settings> map{
      bind_key("zone", &Settings::zone, "cluster.local", "the cluster domain answered with authority (as kubelets' cluster_domain)"),
      bind_key("ttl", &Settings::ttl, "30", "TTL of every record served, seconds").range(0, 3600),
      bind_key("negative_ttl", &Settings::negative_ttl, "5", "how long NXDOMAIN/NODATA may be cached (the SOA minimum), seconds")
          .range(0, 3600),
      bind_key("pod_records", &Settings::pod_records, "verified",
               {{"verified", PodRecords::Verified}, {"insecure", PodRecords::Insecure}, {"disabled", PodRecords::Disabled}},
               "`<a-b-c-d>.<ns>.pod.<zone>`: only for pods that exist there, for any address, or never"),
      bind_key("cluster_dns_ip", &Settings::cluster_dns_ip, "10.96.0.10",
               "the kube-dns Service's address, served on this node (as kubelets' cluster_dns)"),
      bind_key("service_cidr", &Settings::service_cidr, "10.96.0.0/12", "Services' range: its reverse names are ours (PTR)"),
      bind_key("cluster_cidr", &Settings::cluster_cidr, "10.244.0.0/16",
               "pods' range: its reverse names are ours, and pods may ask the node address"),
      bind_key("node_local", &Settings::node_local, "true",
               "serve cluster_dns_ip on this node (an address on `interface`, NOTRACK: the proxy does not DNAT it); false: this "
               "node's pods reach other nodes' addons through the proxy"),
      bind_key("interface", &Settings::interface, "lo",
               "the interface carrying cluster_dns_ip: lo, or a name of our own made as a dummy interface"),
      bind_key("nft_table", &Settings::nft_table, "skiff-dns", "the nftables table (family ip) of the NOTRACK and client rules"),
      bind_key("node_address", &Settings::node_address, "",
               "where nodes without the addon reach this one (its kube-dns endpoint): \"\" the Node's InternalIP, "
               "\"none\" not served"),
      bind_key("node_address_clients", &Settings::node_address_clients, "[]",
               "CIDRs allowed to ask the node address besides cluster_cidr and the node's own subnet"),
      bind_key("create_service", &Settings::create_service, "true", "create the kube-dns Service in kube-system if missing"),
      bind_key("upstreams", &Settings::upstreams, "[/etc/resolv.conf]",
               "where names outside the cluster go, in order: ip[:port], or a resolv.conf file (its nameservers); [] "
               "answers them SERVFAIL"),
      bind_key("forward_timeout", &Settings::forward_timeout, "2s", "per upstream and transport").range("10ms", "30s"),
      bind_key("cache_size", &Settings::cache_size, "10000", "forwarded answers kept (0: no cache)").range(0, 10000000),
      bind_key("autopath", &Settings::autopath, "true",
               "answer a pod's first search-path query with the final answer when that is exact (see README)"),
      bind_key("ndots", &Settings::ndots, "5", "the pods' ndots (kubelet writes 5)").range(1, 15),
      bind_key("node_resolv_conf", &Settings::node_resolv_conf, "/etc/resolv.conf",
               "the node's resolv.conf as kubelets read it: search domains there join pods' search lists and turn "
               "autopath off (it would be inexact)"),
      bind_key("workers", &Settings::workers, "0", "answering threads, each with its UDP socket (0: one per core)")
          .range(0, 256),
      bind_key("udp_payload", &Settings::udp_payload, "1232", "the EDNS0 UDP size announced and used").range(512, 4096),
      bind_key("port", &Settings::port, "53", "the DNS port on every address served").range(1, 65535),
  };
  return map;
}

[[noreturn]] void invalid(const std::string& key, const std::string& message) {
  throw sdk::Error(sdk::Status::Invalid("config " + key + ": " + message));
}

void check_cidr(const std::string& key, const std::string& text) {
  if (text.empty()) return;
  auto parsed = sdk::parse_ipv4_cidr(text);
  if (auto* error = std::get_if<sdk::CidrError>(&parsed)) invalid(key, error->message);
}

bool is_ipv4(const std::string& text) {
  boost::system::error_code error;
  boost::asio::ip::make_address_v4(text, error);
  return !error;
}

std::vector<std::string> host_search_domains(const std::string& path) {
  if (path.empty()) return {};
  try {
    return read_resolv_conf(path).search;
  } catch (const std::exception&) {
    return {};  // no file: the kubelet adds nothing either
  }
}

}  // namespace

sdk::ConfigTable config_table() { return config_map().table(); }

Settings read_settings(const sdk::Config& config) {
  Settings settings = config_map().read(config);
  if (!is_ipv4(settings.cluster_dns_ip)) invalid("cluster_dns_ip", "\"" + settings.cluster_dns_ip + "\" is not an IPv4 address");
  check_cidr("service_cidr", settings.service_cidr);
  check_cidr("cluster_cidr", settings.cluster_cidr);
  for (const auto& cidr : settings.node_address_clients) check_cidr("node_address_clients", cidr);
  if (!settings.node_address.empty() && settings.node_address != "none" && !is_ipv4(settings.node_address))
    invalid("node_address", "\"" + settings.node_address + "\" is neither an IPv4 address, \"\" nor \"none\"");
  for (const auto& upstream : settings.upstreams)
    if (!upstream.starts_with("/") && !parse_upstream(upstream))
      invalid("upstreams", "\"" + upstream + "\" is neither ip[:port] ([ipv6]:port) nor a resolv.conf path");
  try {
    ZoneSettings checked(zone_config(settings));
  } catch (const std::invalid_argument& e) {
    invalid("zone", e.what());
  }
  return settings;
}

ZoneConfig zone_config(const Settings& settings) {
  ZoneConfig config;
  config.zone = settings.zone;
  config.ttl = static_cast<std::uint32_t>(settings.ttl);
  config.negative_ttl = static_cast<std::uint32_t>(settings.negative_ttl);
  config.pod_records = settings.pod_records;
  for (const auto* cidr : {&settings.service_cidr, &settings.cluster_cidr})
    if (!cidr->empty()) config.reverse_cidrs.push_back(*cidr);
  config.nameserver_addresses.push_back(boost::asio::ip::make_address(settings.cluster_dns_ip));
  config.autopath = settings.autopath;
  config.ndots = static_cast<unsigned>(settings.ndots);
  config.host_search_domains = host_search_domains(settings.node_resolv_conf);
  return config;
}

ForwarderConfig forwarder_config(const Settings& settings) {
  ForwarderConfig config;
  auto self = boost::asio::ip::make_address(settings.cluster_dns_ip);
  auto add = [&](const UpstreamServer& server) {
    if (server.address != self) config.upstreams.push_back(server);
  };
  for (const auto& upstream : settings.upstreams) {
    if (!upstream.starts_with("/")) {
      add(*parse_upstream(upstream));
      continue;
    }
    try {
      for (const auto& server : read_resolv_conf(upstream).nameservers) add(server);
    } catch (const std::exception& e) {
      invalid("upstreams", e.what());
    }
  }
  config.timeout = settings.forward_timeout;
  config.cache_capacity = static_cast<std::size_t>(settings.cache_size);
  config.udp_payload = static_cast<std::uint16_t>(settings.udp_payload);
  return config;
}

}  // namespace skiff::dns
