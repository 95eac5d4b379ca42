// A pod's resolv.conf from its dnsPolicy and dnsConfig and the node's settings, rule by rule
// as Kubernetes' kubelet applies them (pkg/kubelet/network/dns), and the file's text.
#include <gtest/gtest.h>

#include <fstream>

#include "pod_dns.hpp"
#include "skiff/sdk/status.hpp"
#include "temp_dir.hpp"

namespace {

using namespace skiff;
using namespace skiff::kubelet;
namespace core = api::core::v1;

const char* kHostFile =
    "# written by the node's DHCP client\n"
    "nameserver 192.168.1.1\n"
    "nameserver 192.168.1.2\n"
    "search lan. example.com\n"
    "options timeout:2 attempts:3\n";

core::Pod pod_in(const std::string& ns, const std::string& policy = "ClusterFirst") {
  core::Pod pod;
  pod.mutable_metadata()->set_name("web");
  pod.mutable_metadata()->set_namespace_(ns);
  pod.mutable_metadata()->set_uid("uid-1");
  pod.mutable_spec()->set_dns_policy(policy);
  return pod;
}

std::string resolv_conf(const core::Pod& pod, const DnsSettings& settings = {}) {
  return render_resolv_conf(pod_dns(pod, settings, parse_resolv_conf(kHostFile)).config);
}

core::PodDNSConfigOption& add_option(core::Pod& pod, const std::string& name) {
  auto* option = pod.mutable_spec()->mutable_dns_config()->add_options();
  option->set_name(name);
  return *option;
}

TEST(PodDns, TheHostFileParsedAsKubernetesParsesIt) {
  auto host = parse_resolv_conf(kHostFile);
  EXPECT_EQ(host.servers, (std::vector<std::string>{"192.168.1.1", "192.168.1.2"}));
  EXPECT_EQ(host.searches, (std::vector<std::string>{"lan", "example.com"})) << "trailing dots dropped";
  EXPECT_EQ(host.options, (std::vector<std::string>{"timeout:2", "attempts:3"}));
  auto last_wins = parse_resolv_conf("search a b\nsearch c\noptions x\noptions y z\n  # nameserver 9.9.9.9\nnameserver\n");
  EXPECT_EQ(last_wins.searches, (std::vector<std::string>{"c"}));
  EXPECT_EQ(last_wins.options, (std::vector<std::string>{"y", "z"}));
  EXPECT_TRUE(last_wins.servers.empty()) << "comments and empty nameserver lines give no server";
}

TEST(PodDns, ClusterFirstAsksTheClusterDnsAndSearchesTheNamespaceFirst) {
  EXPECT_EQ(resolv_conf(pod_in("shop")),
            "search shop.svc.cluster.local svc.cluster.local cluster.local lan example.com\n"
            "nameserver 10.96.0.10\n"
            "options ndots:5\n");
}

TEST(PodDns, AnEmptyPolicyIsClusterFirst) {
  EXPECT_EQ(resolv_conf(pod_in("shop", "")), resolv_conf(pod_in("shop")));
}

TEST(PodDns, ClusterFirstUsesTheConfiguredDomainAndServers) {
  DnsSettings settings;
  settings.cluster_dns = {"10.0.0.10", "10.0.0.11"};
  settings.cluster_domain = "corp.internal";
  EXPECT_EQ(resolv_conf(pod_in("default"), settings),
            "search default.svc.corp.internal svc.corp.internal corp.internal lan example.com\n"
            "nameserver 10.0.0.10\nnameserver 10.0.0.11\n"
            "options ndots:5\n");
}

TEST(PodDns, ClusterFirstWithoutADomainSearchesOnlyTheHostsDomains) {
  DnsSettings settings;
  settings.cluster_domain = "";
  EXPECT_EQ(resolv_conf(pod_in("shop"), settings), "search lan example.com\nnameserver 10.96.0.10\noptions ndots:5\n");
}

TEST(PodDns, AHostDomainEqualToAClusterOneIsListedOnce) {
  auto pod = pod_in("shop");
  auto host = parse_resolv_conf("nameserver 1.1.1.1\nsearch cluster.local lan\n");
  EXPECT_EQ(pod_dns(pod, {}, host).config.searches,
            (std::vector<std::string>{"shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "lan"}));
}

TEST(PodDns, ClusterFirstOnTheHostNetworkFallsBackToDefault) {
  auto pod = pod_in("shop");
  pod.mutable_spec()->set_host_network(true);
  std::string host_copy = "search lan example.com\nnameserver 192.168.1.1\nnameserver 192.168.1.2\noptions timeout:2 attempts:3\n";
  EXPECT_EQ(resolv_conf(pod), host_copy);
  pod.mutable_spec()->set_dns_policy("ClusterFirstWithHostNet");
  EXPECT_EQ(resolv_conf(pod), resolv_conf(pod_in("shop"))) << "unless it asks for the cluster's";
}

TEST(PodDns, DefaultIsTheNodesFile) {
  EXPECT_EQ(resolv_conf(pod_in("shop", "Default")),
            "search lan example.com\nnameserver 192.168.1.1\nnameserver 192.168.1.2\noptions timeout:2 attempts:3\n");
}

TEST(PodDns, WithoutANodeFileDefaultAsksTheLocalMachineAndSearchesNothing) {
  DnsSettings settings;
  settings.resolv_conf = "";
  EXPECT_EQ(resolv_conf(pod_in("shop", "Default"), settings), "search .\nnameserver 127.0.0.1\n");
  EXPECT_EQ(resolv_conf(pod_in("shop"), settings),
            "search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n")
      << "and ClusterFirst pods get no host domains";
}

TEST(PodDns, NoClusterDnsMakesClusterFirstDefaultWithAnEvent) {
  DnsSettings settings;
  settings.cluster_dns = {};
  auto dns = pod_dns(pod_in("shop"), settings, parse_resolv_conf(kHostFile));
  EXPECT_EQ(dns.config, parse_resolv_conf(kHostFile));
  ASSERT_EQ(dns.warnings.size(), 1u);
  EXPECT_EQ(dns.warnings[0].reason, "MissingClusterDNS");
  EXPECT_EQ(dns.warnings[0].message,
            "pod: \"web_shop(uid-1)\". kubelet does not have ClusterDNS IP configured and cannot create Pod using "
            "\"ClusterFirst\" policy. Falling back to \"Default\" policy.");
}

TEST(PodDns, NoneIsOnlyTheDnsConfig) {
  auto pod = pod_in("shop", "None");
  auto* config = pod.mutable_spec()->mutable_dns_config();
  config->add_nameservers("1.2.3.4");
  config->add_searches("ns1.svc.cluster-domain.example");
  config->add_searches("my.dns.search.suffix");
  add_option(pod, "ndots").set_value("2");
  add_option(pod, "edns0");
  EXPECT_EQ(resolv_conf(pod),
            "search ns1.svc.cluster-domain.example my.dns.search.suffix\nnameserver 1.2.3.4\noptions ndots:2 edns0\n")
      << "Kubernetes' documented example";
}

TEST(PodDns, DnsConfigIsAppendedWithoutDuplicates) {
  auto pod = pod_in("shop");
  auto* config = pod.mutable_spec()->mutable_dns_config();
  config->add_nameservers("10.96.0.10");
  config->add_nameservers("8.8.8.8");
  config->add_searches("cluster.local");
  config->add_searches("extra.example");
  EXPECT_EQ(resolv_conf(pod),
            "search shop.svc.cluster.local svc.cluster.local cluster.local lan example.com extra.example\n"
            "nameserver 10.96.0.10\nnameserver 8.8.8.8\n"
            "options ndots:5\n");
}

TEST(PodDns, OptionsAreMergedByName) {
  auto pod = pod_in("shop");
  add_option(pod, "ndots").set_value("1");
  add_option(pod, "single-request-reopen");
  add_option(pod, "timeout").set_value("");  // a value set to "": the option alone
  EXPECT_EQ(pod_dns(pod, {}, {}).config.options,
            (std::vector<std::string>{"ndots:1", "single-request-reopen", "timeout"}));
  auto host_pod = pod_in("shop", "Default");
  add_option(host_pod, "attempts").set_value("5");
  add_option(host_pod, "rotate");
  EXPECT_EQ(pod_dns(host_pod, {}, parse_resolv_conf(kHostFile)).config.options,
            (std::vector<std::string>{"timeout:2", "attempts:5", "rotate"}));
}

TEST(PodDns, AtMostThreeNameserversWithAnEvent) {
  auto pod = pod_in("shop", "Default");
  for (const char* ip : {"1.1.1.1", "2.2.2.2"}) pod.mutable_spec()->mutable_dns_config()->add_nameservers(ip);
  auto dns = pod_dns(pod, {}, parse_resolv_conf(kHostFile));
  EXPECT_EQ(dns.config.servers, (std::vector<std::string>{"192.168.1.1", "192.168.1.2", "1.1.1.1"}));
  ASSERT_EQ(dns.warnings.size(), 1u);
  EXPECT_EQ(dns.warnings[0].reason, "DNSConfigForming");
  EXPECT_EQ(dns.warnings[0].message,
            "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: "
            "192.168.1.1 192.168.1.2 1.1.1.1");
}

TEST(PodDns, AtMost32SearchDomains) {
  auto pod = pod_in("shop");
  for (int i = 0; i < 30; ++i) pod.mutable_spec()->mutable_dns_config()->add_searches("d" + std::to_string(i) + ".example");
  auto dns = pod_dns(pod, {}, parse_resolv_conf(kHostFile));
  ASSERT_EQ(dns.config.searches.size(), 32u);
  EXPECT_EQ(dns.config.searches.back(), "d26.example") << "3 cluster + 2 host + the first 27 of the pod's";
  ASSERT_EQ(dns.warnings.size(), 1u);
  EXPECT_EQ(dns.warnings[0].message.rfind("Search Line limits were exceeded, some search paths have been omitted, "
                                          "the applied search line is: shop.svc.cluster.local svc.cluster.local",
                                          0),
            0u)
      << dns.warnings[0].message;
}

TEST(PodDns, SearchDomainsLongerThanANameAreDropped) {
  auto pod = pod_in("shop", "None");
  pod.mutable_spec()->mutable_dns_config()->add_nameservers("1.2.3.4");
  pod.mutable_spec()->mutable_dns_config()->add_searches(std::string(254, 'a'));
  pod.mutable_spec()->mutable_dns_config()->add_searches("ok.example");
  auto dns = pod_dns(pod, {}, {});
  EXPECT_EQ(dns.config.searches, (std::vector<std::string>{"ok.example"}));
  ASSERT_EQ(dns.warnings.size(), 1u);
  EXPECT_EQ(dns.warnings[0].reason, "DNSConfigForming");
}

TEST(PodDns, TheSearchLineIsCutFromItsEndTo2048Characters) {
  auto pod = pod_in("shop", "None");
  pod.mutable_spec()->mutable_dns_config()->add_nameservers("1.2.3.4");
  for (int i = 0; i < 20; ++i)  // domains of 107 characters
    pod.mutable_spec()->mutable_dns_config()->add_searches(std::string(97, 'x') + std::to_string(10 + i) + ".example");
  auto dns = pod_dns(pod, {}, {});
  EXPECT_EQ(dns.config.searches.size(), 18u) << "20 domains and their spaces make 2159 characters, 19 make 2051, 18 make 1943";
  EXPECT_EQ(dns.config.searches.back(), std::string(97, 'x') + "27.example");
  ASSERT_EQ(dns.warnings.size(), 1u);
}

TEST(PodDns, TheNodesFileIsReadWhereConfigured) {
  test::TempDir dir;
  std::ofstream(dir.file("resolv.conf")) << "nameserver 172.16.0.1\nsearch corp\n";
  DnsSettings settings;
  settings.resolv_conf = dir.file("resolv.conf");
  EXPECT_EQ(render_resolv_conf(pod_dns_on_node(pod_in("shop", "Default"), settings).config),
            "search corp\nnameserver 172.16.0.1\n");
  settings.resolv_conf = dir.file("missing.conf");
  try {
    pod_dns_on_node(pod_in("shop"), settings);
    FAIL() << "a missing file is an error";
  } catch (const sdk::Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read the node's resolv.conf " + settings.resolv_conf), std::string::npos)
        << e.what();
  }
}

TEST(PodDns, TheFileGoesOverTheContainersOwnUnlessTheContainerMountsOne) {
  runtime::v1::ContainerConfig container;
  mount_resolv_conf(container, "/pods/uid-1/resolv.conf");
  ASSERT_EQ(container.mounts_size(), 1);
  EXPECT_EQ(container.mounts(0).container_path(), "/etc/resolv.conf");
  EXPECT_EQ(container.mounts(0).host_path(), "/pods/uid-1/resolv.conf");
  runtime::v1::ContainerConfig own;
  own.add_mounts()->set_container_path("/etc/resolv.conf");
  mount_resolv_conf(own, "/pods/uid-1/resolv.conf");
  EXPECT_EQ(own.mounts_size(), 1) << "the container's own mount stays";
  EXPECT_EQ(resolv_conf_file("/pods/uid-1"), "/pods/uid-1/resolv.conf");
}

TEST(PodDns, TheSandboxCarriesItAsCrisDnsConfig) {
  runtime::v1::SandboxConfig sandbox;
  set_sandbox_dns(sandbox, ResolverConfig{{"10.96.0.10"}, {"a", "b"}, {"ndots:5"}});
  ASSERT_EQ(sandbox.dns_servers_size(), 1);
  EXPECT_EQ(sandbox.dns_servers(0), "10.96.0.10");
  EXPECT_EQ(sandbox.dns_searches_size(), 2);
  ASSERT_EQ(sandbox.dns_options_size(), 1);
  EXPECT_EQ(sandbox.dns_options(0), "ndots:5");
}

}  // namespace
