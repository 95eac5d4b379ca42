// The kubelet's Node beside its other writers: a restarted kubelet registering again, and its
// periodic status updates, keep the node's podCIDR, taints and the conditions others set.
#include <gtest/gtest.h>

#include <atomic>

#include "kubelet_harness.hpp"
#include "machine.hpp"
#include "node_registration.hpp"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/sdk/cidr.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace skiff::test;
namespace core = api::core::v1;
namespace rt = runtime::v1;

class KubeletNodeRegistration : public SimClusterSuite {
 protected:
  void TearDown() override {
    SimClusterSuite::TearDown();
    try {
      cluster_->api().erase<core::Node>("", kName);
    } catch (const sdk::Error&) {
    }
  }

  static kubelet::NodeOptions options() {
    kubelet::NodeOptions o;
    o.name = kName;
    o.lease_interval = 50ms;
    o.status_interval = 0ms;  // rewrite the status on every beat
    return o;
  }
  std::unique_ptr<kubelet::NodeRegistration> kubelet(kubelet::NodeOptions o = options()) {
    return std::make_unique<kubelet::NodeRegistration>(cluster_->api(), cluster_->runtime(), std::move(o),
                                                       kubelet::read_machine(), cluster_->log());
  }
  core::Node node() const { return cluster_->api().get<core::Node>("", kName); }
  // What the controller-manager writes: a podCIDR (once), a taint, NetworkUnavailable.
  void others_write() {
    cluster_->api().patch<core::Node>(
        "", kName, "merge",
        R"({"spec":{"podCIDR":"10.244.3.0/24","taints":[{"key":"example.com/held","effect":"NoSchedule"}]}})");
    cluster_->api().patch<core::Node>(
        "", kName, "strategic",
        R"({"status":{"conditions":[{"type":"NetworkUnavailable","status":"True","reason":"NoCIDRAvailable"}]}})",
        "status");
  }
  static const core::NodeCondition* condition(const core::Node& node, const std::string& type) {
    for (const auto& c : node.status().conditions())
      if (c.type() == type) return &c;
    return nullptr;
  }
  void expect_others_writes_kept(const core::Node& n) {
    EXPECT_EQ(n.spec().pod_cidr(), "10.244.3.0/24");
    ASSERT_EQ(n.spec().pod_cidrs_size(), 1);
    EXPECT_EQ(n.spec().pod_cidrs(0), "10.244.3.0/24");
    ASSERT_EQ(n.spec().taints_size(), 1);
    EXPECT_EQ(n.spec().taints(0).key(), "example.com/held");
    const auto* network = condition(n, "NetworkUnavailable");
    ASSERT_TRUE(network) << n.status().DebugString();
    EXPECT_EQ(network->reason(), "NoCIDRAvailable");
    const auto* ready = condition(n, "Ready");
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->status(), "True");
  }

  static constexpr const char* kName = "registered-node";
};

TEST_F(KubeletNodeRegistration, ARestartedKubeletKeepsThePodCidrTaintsAndOthersConditions) {
  kubelet()->register_node();
  others_write();
  kubelet()->register_node();  // the kubelet again, after a restart
  expect_others_writes_kept(node());
}

TEST_F(KubeletNodeRegistration, StatusUpdatesKeepOthersConditions) {
  auto agent = kubelet();
  agent->register_node();
  others_write();
  std::string written = node().metadata().resource_version();
  agent->start();
  // The kubelet rewrites its status (its heartbeat time moves each second).
  ASSERT_TRUE(wait_until([&] { return node().metadata().resource_version() != written; }, 10s));
  agent->stop();
  expect_others_writes_kept(node());
}

// CRI's UpdateRuntimeConfig: once IPAM has given the node a podCIDR, the kubelet passes it on,
// and runtime-sim's sandboxes take their IPs from it.
TEST_F(KubeletNodeRegistration, TheRuntimeLearnsThePodCidr) {
  auto registration = kubelet();
  registration->register_node();
  registration->start();
  others_write();  // podCIDR 10.244.3.0/24
  auto subnet = *sdk::Ipv4Cidr::parse("10.244.3.0/24");
  rt::SandboxConfig config;
  config.set_pod_uid("cidr-uid");
  config.set_pod_name("cidr");
  config.set_namespace_("default");
  std::string ip;
  bool inside = test::wait_until([&] {
    std::string id = cluster_->runtime().run_sandbox(config, &ip);
    cluster_->runtime().remove_sandbox(id);
    auto address = sdk::parse_ipv4(ip);
    return address && subnet.contains(*address);
  }, 10s, 50ms);
  EXPECT_TRUE(inside) << "the last sandbox got " << ip;
  registration->stop();
}

// A node without kube-proxy leaves nodeInfo.kubeProxyVersion empty; the kubelet reports the
// version while a proxy runs on its machine and clears it when the proxy goes.
TEST_F(KubeletNodeRegistration, KubeProxyVersionOnlyWhileAProxyRuns) {
  std::atomic<bool> proxy{false};
  auto o = options();
  o.proxy_running = [&] { return proxy.load(); };
  auto registration = kubelet(o);
  registration->register_node();
  registration->start();
  auto proxy_version = [&] { return node().status().node_info().kube_proxy_version(); };
  EXPECT_EQ(proxy_version(), "");
  proxy = true;
  EXPECT_TRUE(wait_until([&] { return proxy_version() == o.kubelet_version; }, 10s)) << proxy_version();
  proxy = false;
  EXPECT_TRUE(wait_until([&] { return proxy_version().empty(); }, 10s)) << proxy_version();
  registration->stop();
}

}  // namespace
