// The addon's config block: defaults, every value read_settings refuses (422 naming the key),
// and the zone's and forwarder's settings made from it (resolv.conf files written here).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>

#include "dns_settings.hpp"
#include "skiff/sdk/config_schema.hpp"
#include "skiff/sdk/status.hpp"
#include "temp_dir.hpp"

namespace skiff::dns {
namespace {

using namespace std::chrono_literals;

// As the kernel hands a profile's block over: checked against the table, defaults filled in.
Settings settings_from(const std::string& yaml) {
  YAML::Node block = sdk::validate_config(config_table(), YAML::Load(yaml), "dns");
  return read_settings(sdk::Config(YAML::Dump(block)));
}

// The 422's message, or "" when the block was taken.
std::string refusal(const std::string& yaml) {
  try {
    settings_from(yaml);
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 422) << yaml;
    return e.status().message;
  }
  return "";
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

UpstreamServer upstream(const std::string& address, std::uint16_t port = 53) {
  return {boost::asio::ip::make_address(address), port};
}

TEST(DnsSettings, DefaultsAreKubernetesOwn) {
  Settings s = settings_from("");
  EXPECT_EQ(s.zone, "cluster.local");
  EXPECT_EQ(s.ttl, 30);
  EXPECT_EQ(s.negative_ttl, 5);
  EXPECT_EQ(s.pod_records, PodRecords::Verified);
  EXPECT_EQ(s.cluster_dns_ip, "10.96.0.10");
  EXPECT_EQ(s.service_cidr, "10.96.0.0/12");
  EXPECT_EQ(s.cluster_cidr, "10.244.0.0/16");
  EXPECT_TRUE(s.node_local);
  EXPECT_EQ(s.interface, "lo");
  EXPECT_EQ(s.nft_table, "skiff-dns");
  EXPECT_EQ(s.node_address, "") << "the Node's InternalIP";
  EXPECT_TRUE(s.node_address_clients.empty());
  EXPECT_TRUE(s.create_service);
  EXPECT_EQ(s.upstreams, std::vector<std::string>{"/etc/resolv.conf"});
  EXPECT_EQ(s.forward_timeout, 2s);
  EXPECT_EQ(s.cache_size, 10000);
  EXPECT_TRUE(s.autopath);
  EXPECT_EQ(s.ndots, 5);
  EXPECT_EQ(s.node_resolv_conf, "/etc/resolv.conf");
  EXPECT_EQ(s.workers, 0);
  EXPECT_EQ(s.udp_payload, 1232);
  EXPECT_EQ(s.port, 53);
}

TEST(DnsSettings, GivenValuesAreRead) {
  Settings s = settings_from(
      "zone: corp.internal\nttl: 60\npod_records: insecure\ncluster_dns_ip: 10.100.0.10\nnode_local: false\n"
      "node_address: none\nnode_address_clients: [192.168.0.0/16]\nupstreams: ['10.0.0.2', '127.0.0.1:5353']\n"
      "forward_timeout: 500ms\nport: 5353\n");
  EXPECT_EQ(s.zone, "corp.internal");
  EXPECT_EQ(s.ttl, 60);
  EXPECT_EQ(s.pod_records, PodRecords::Insecure);
  EXPECT_EQ(s.cluster_dns_ip, "10.100.0.10");
  EXPECT_FALSE(s.node_local);
  EXPECT_EQ(s.node_address, "none");
  EXPECT_EQ(s.node_address_clients, std::vector<std::string>{"192.168.0.0/16"});
  EXPECT_EQ(s.forward_timeout, 500ms);
  EXPECT_EQ(s.port, 5353);
}

TEST(DnsSettings, EveryMalformedValueIsRefusedNamingItsKey) {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  const Case cases[] = {
      {"cluster_dns_ip: 10.96.0.300\n", "config cluster_dns_ip: \"10.96.0.300\" is not an IPv4 address"},
      {"cluster_dns_ip: fd00::10\n", "config cluster_dns_ip: \"fd00::10\" is not an IPv4 address"},
      {"cluster_dns_ip: ''\n", "config cluster_dns_ip: \"\" is not an IPv4 address"},
      {"service_cidr: 10.96.0.0/33\n", "config service_cidr: "},
      {"service_cidr: services\n", "config service_cidr: "},
      {"cluster_cidr: 10.244.0.0\n", "config cluster_cidr: "},
      {"node_address_clients: [192.168.0.0/16, everyone]\n", "config node_address_clients: "},
      {"node_address: my-node\n", "config node_address: \"my-node\" is neither an IPv4 address, \"\" nor \"none\""},
      {"node_address: fd00::1\n", "config node_address: \"fd00::1\""},
      {"upstreams: ['10.0.0.2', 'dns.example.com']\n",
       "config upstreams: \"dns.example.com\" is neither ip[:port] ([ipv6]:port) nor a resolv.conf path"},
      {"upstreams: ['10.0.0.2:99999']\n", "config upstreams: \"10.0.0.2:99999\""},
      {"upstreams: ['resolv.conf']\n", "config upstreams: \"resolv.conf\"" /* relative: not a path */},
      {"zone: .\n", "config zone: dns zone: the cluster domain cannot be the root"},
      {"zone: bad..name\n", "config zone: dns zone"},
  };
  for (const auto& c : cases) {
    std::string message = refusal(c.yaml);
    EXPECT_NE(message.find(c.expected), std::string::npos) << c.yaml << " → \"" << message << "\"";
  }
}

TEST(DnsSettings, EmptyCidrsAndNoUpstreamsAreAllowed) {
  Settings s = settings_from("service_cidr: ''\ncluster_cidr: ''\nupstreams: []\nnode_resolv_conf: ''\n");
  EXPECT_TRUE(zone_config(s).reverse_cidrs.empty()) << "no reverse zone of ours";
  EXPECT_TRUE(forwarder_config(s).upstreams.empty()) << "names outside the cluster: SERVFAIL";
}

TEST(DnsSettings, ForwarderReadsResolvConfFilesAndLeavesOutTheClusterDnsAddress) {
  test::TempDir dir;
  write_file(dir.file("resolv.conf"),
             "# the node's\nnameserver 10.96.0.10\nnameserver 192.168.1.1\nsearch corp.example\nnameserver fd00::53\n");
  Settings s = settings_from("upstreams: ['10.0.0.2', '" + dir.file("resolv.conf") +
                             "', '10.96.0.10:5353', '127.0.0.1:5353']\nforward_timeout: 750ms\ncache_size: 0\n"
                             "udp_payload: 1400\n");
  auto config = forwarder_config(s);
  EXPECT_EQ(config.upstreams, (std::vector<UpstreamServer>{upstream("10.0.0.2"), upstream("192.168.1.1"),
                                                           upstream("fd00::53"), upstream("127.0.0.1", 5353)}))
      << "in order; 10.96.0.10 is us, on any port (asking ourselves would loop)";
  EXPECT_EQ(config.timeout, 750ms);
  EXPECT_EQ(config.cache_capacity, 0u);
  EXPECT_EQ(config.udp_payload, 1400);
}

TEST(DnsSettings, MissingResolvConfIsRefusedWhenTheForwarderIsMade) {
  test::TempDir dir;
  Settings s = settings_from("upstreams: ['" + dir.file("absent.conf") + "']\n");
  try {
    forwarder_config(s);
    FAIL() << "an unreadable upstreams file was taken";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 422);
    EXPECT_NE(e.status().message.find("config upstreams: "), std::string::npos) << e.status().message;
    EXPECT_NE(e.status().message.find(dir.file("absent.conf")), std::string::npos) << e.status().message;
  }
}

TEST(DnsSettings, ZoneConfigTakesTheReverseCidrsAndTheNodesSearchDomains) {
  test::TempDir dir;
  write_file(dir.file("node-resolv.conf"), "nameserver 192.168.1.1\nsearch corp.example lab.example\n");
  Settings s = settings_from("zone: k8s.test\nttl: 10\nnegative_ttl: 2\npod_records: disabled\ncluster_dns_ip: 10.100.0.10\n"
                             "service_cidr: 10.100.0.0/16\ncluster_cidr: 10.200.0.0/16\nautopath: false\nndots: 3\n"
                             "node_resolv_conf: " + dir.file("node-resolv.conf") + "\n");
  auto config = zone_config(s);
  EXPECT_EQ(config.zone, "k8s.test");
  EXPECT_EQ(config.ttl, 10u);
  EXPECT_EQ(config.negative_ttl, 2u);
  EXPECT_EQ(config.pod_records, PodRecords::Disabled);
  EXPECT_EQ(config.reverse_cidrs, (std::vector<std::string>{"10.100.0.0/16", "10.200.0.0/16"}));
  EXPECT_EQ(config.nameserver_addresses, std::vector<IpAddress>{boost::asio::ip::make_address("10.100.0.10")});
  EXPECT_FALSE(config.autopath);
  EXPECT_EQ(config.ndots, 3u);
  EXPECT_EQ(config.host_search_domains, (std::vector<std::string>{"corp.example", "lab.example"}))
      << "kubelet appends them to pods' search lists";

  s.node_resolv_conf = dir.file("absent.conf");
  EXPECT_TRUE(zone_config(s).host_search_domains.empty()) << "no file: the kubelet adds nothing either";
  s.node_resolv_conf = "";
  EXPECT_TRUE(zone_config(s).host_search_domains.empty());
}

}  // namespace
}  // namespace skiff::dns
