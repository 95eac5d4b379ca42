// The pod syncer writes each pod's resolv.conf when it makes the sandbox, hands the runtime
// the same settings with the sandbox, says when limits cut them, and refuses the sandbox
// while the node's resolv.conf cannot be read (against runtime-sim).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "container_spec.hpp"
#include "kubelet_harness.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace skiff::test;
namespace core = api::core::v1;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class KubeletPodDns : public SimClusterSuite {
 protected:
  KubeletPodDns() { std::ofstream(node_dir_.file("resolv.conf")) << "nameserver 192.168.7.1\nsearch corp.example\n"; }

  kubelet::SyncOptions options(const std::string& resolv_conf) {
    auto o = SyncerHarness::quick_options();
    o.dns.cluster_dns = {"10.96.0.10"};
    o.dns.resolv_conf = resolv_conf;
    return o;
  }
  std::string resolv_conf_of(const SyncerHarness& kubelet, const core::Pod& pod) {
    return read_text(kubelet.pods_dir() + "/" + pod.metadata().uid() + "/resolv.conf");
  }
  runtime::v1::SandboxConfig sandbox_of(const core::Pod& pod) {
    auto sandboxes = cluster_->runtime().list_sandboxes({{kubelet::kLabelPodUid, pod.metadata().uid()}});
    if (sandboxes.empty()) return {};
    return cluster_->runtime().sandbox_status(sandboxes.front().id()).config();
  }

  TempDir node_dir_;
};

bool running(const core::Pod& pod) { return pod.status().phase() == "Running"; }

TEST_F(KubeletPodDns, TheSandboxGetsThePodsResolvConf) {
  SyncerHarness kubelet(*cluster_, options(node_dir_.file("resolv.conf")));
  core::Pod pod = pod_named("dns-cluster-first");
  auto* option = pod.mutable_spec()->mutable_dns_config()->add_options();
  option->set_name("ndots");
  option->set_value("2");
  pod = kubelet.create(pod);
  ASSERT_TRUE(kubelet.sync_until("dns-cluster-first", running));

  EXPECT_EQ(resolv_conf_of(kubelet, pod),
            "search default.svc.cluster.local svc.cluster.local cluster.local corp.example\n"
            "nameserver 10.96.0.10\n"
            "options ndots:2\n");
  auto sandbox = sandbox_of(pod);
  ASSERT_EQ(sandbox.dns_servers_size(), 1);
  EXPECT_EQ(sandbox.dns_servers(0), "10.96.0.10");
  EXPECT_EQ(sandbox.dns_searches_size(), 4);
  ASSERT_EQ(sandbox.dns_options_size(), 1);
  EXPECT_EQ(sandbox.dns_options(0), "ndots:2");
}

TEST_F(KubeletPodDns, ADefaultPodCopiesTheNodesFile) {
  SyncerHarness kubelet(*cluster_, options(node_dir_.file("resolv.conf")));
  core::Pod pod = pod_named("dns-default");
  pod.mutable_spec()->set_dns_policy("Default");
  pod = kubelet.create(pod);
  ASSERT_TRUE(kubelet.sync_until("dns-default", running));
  EXPECT_EQ(resolv_conf_of(kubelet, pod), "search corp.example\nnameserver 192.168.7.1\n");
}

TEST_F(KubeletPodDns, ALostFileIsWrittenAgainForTheNextContainer) {
  SyncerHarness kubelet(*cluster_, options(node_dir_.file("resolv.conf")));
  core::Pod pod = pod_named("dns-lost-file");
  set_env(*pod.mutable_spec()->mutable_containers(0), "SIM_EXIT_CODE", "1");
  pod = kubelet.create(pod);
  std::string file = kubelet.pods_dir() + "/" + pod.metadata().uid() + "/resolv.conf";
  ASSERT_TRUE(kubelet.sync_until("dns-lost-file", [&](const core::Pod&) { return std::filesystem::exists(file); }));
  std::string written = read_text(file);
  std::filesystem::remove(file);
  // The container keeps exiting; its restart (same sandbox) needs the file again.
  ASSERT_TRUE(kubelet.sync_until("dns-lost-file", [&](const core::Pod&) { return kubelet.attempts(pod, "main").size() >= 2; }));
  EXPECT_EQ(read_text(file), written);
}

TEST_F(KubeletPodDns, ANewSandboxGetsTheNodesFileAsItIsThen) {
  SyncerHarness kubelet(*cluster_, options(node_dir_.file("resolv.conf")));
  core::Pod pod = pod_named("dns-new-sandbox");
  pod.mutable_spec()->set_dns_policy("Default");
  pod = kubelet.create(pod);
  ASSERT_TRUE(kubelet.sync_until("dns-new-sandbox", running));
  std::ofstream(node_dir_.file("resolv.conf")) << "nameserver 192.168.7.2\n";
  kubelet.sync("dns-new-sandbox");
  EXPECT_EQ(resolv_conf_of(kubelet, pod), "search corp.example\nnameserver 192.168.7.1\n") << "fixed while the sandbox lives";

  auto sandboxes = cluster_->runtime().list_sandboxes({{kubelet::kLabelPodUid, pod.metadata().uid()}});
  ASSERT_EQ(sandboxes.size(), 1u);
  cluster_->runtime().stop_sandbox(sandboxes[0].id());
  ASSERT_TRUE(kubelet.sync_until("dns-new-sandbox", [&](const core::Pod& p) {
    auto now = cluster_->runtime().list_sandboxes({{kubelet::kLabelPodUid, pod.metadata().uid()}});
    return running(p) && now.size() == 1 && now[0].id() != sandboxes[0].id() && now[0].state() == "READY";
  }));
  EXPECT_EQ(resolv_conf_of(kubelet, pod), "nameserver 192.168.7.2\n");
  EXPECT_EQ(sandbox_of(pod).dns_servers(0), "192.168.7.2");
}

TEST_F(KubeletPodDns, CutLimitsAreReportedOnThePod) {
  SyncerHarness kubelet(*cluster_, options(node_dir_.file("resolv.conf")));
  core::Pod pod = pod_named("dns-too-many");
  for (const char* ip : {"1.1.1.1", "2.2.2.2", "3.3.3.3"}) pod.mutable_spec()->mutable_dns_config()->add_nameservers(ip);
  pod = kubelet.create(pod);
  ASSERT_TRUE(kubelet.sync_until("dns-too-many", running));
  EXPECT_EQ(resolv_conf_of(kubelet, pod).find("nameserver 3.3.3.3"), std::string::npos);
  ASSERT_TRUE(wait_until([&] { return !kubelet.events("dns-too-many", "DNSConfigForming").empty(); }));
  EXPECT_EQ(kubelet.events("dns-too-many", "DNSConfigForming")[0].message(),
            "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: "
            "10.96.0.10 1.1.1.1 2.2.2.2");
}

TEST_F(KubeletPodDns, AnUnreadableNodeFileLeavesThePodWithoutASandbox) {
  SyncerHarness kubelet(*cluster_, options(node_dir_.file("no-such-resolv.conf")));
  core::Pod pod = kubelet.create(pod_named("dns-no-node-file"));
  kubelet.sync("dns-no-node-file");
  ASSERT_TRUE(wait_until([&] { return !kubelet.events("dns-no-node-file", "FailedCreatePodSandBox").empty(); }));
  EXPECT_NE(kubelet.events("dns-no-node-file", "FailedCreatePodSandBox")[0].message().find(
                "cannot read the node's resolv.conf " + node_dir_.file("no-such-resolv.conf")),
            std::string::npos);
  EXPECT_TRUE(cluster_->runtime().list_sandboxes({{kubelet::kLabelPodUid, pod.metadata().uid()}}).empty());
}

}  // namespace
