// Schedulers as a cluster runs them: two side by side, one swapped in by the profile, replicas
// with one leader and a failover, and config mistakes refused at start.
#include <gtest/gtest.h>

#include "plugin_node.hpp"
#include "skiff/api/coordination/v1/lease.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;

const char* kApi =
    "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
    "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n";

void add_node(const sdk::ApiClient& api, const std::string& name) {
  core::Node node;
  node.mutable_metadata()->set_name(name);
  (*node.mutable_metadata()->mutable_labels())["kubernetes.io/hostname"] = name;
  (*node.mutable_status()->mutable_allocatable())["cpu"] = "4";
  (*node.mutable_status()->mutable_allocatable())["memory"] = "8Gi";
  api.create(node);
}

void add_pod(const sdk::ApiClient& api, const std::string& name, const std::string& scheduler = "",
             const std::string& cpu = "500m") {
  core::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  pod.mutable_spec()->set_scheduler_name(scheduler);
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image("busybox");
  (*c->mutable_resources()->mutable_requests())["cpu"] = cpu;
  api.create(pod);
}

std::string node_of(const sdk::ApiClient& api, const std::string& pod) {
  return api.get<core::Pod>("default", pod).spec().node_name();
}

bool bound(const sdk::ApiClient& api, const std::string& pod, std::chrono::milliseconds timeout = 15s) {
  return test::wait_until([&] { return !node_of(api, pod).empty(); }, timeout);
}

std::string scheduled_by(const sdk::ApiClient& api, const std::string& pod) {
  for (const auto& e : api.list<core::Event>("default"))
    if (e.involved_object().name() == pod && e.reason() == "Scheduled") return e.source().component();
  return "";
}

TEST(Schedulers, TwoRunSideBySideEachWithItsOwnPods) {
  test::NatsServer nats;
  test::PluginNode node(nats, std::string(kApi) +
                                  "  - name: scheduler-default\n"
                                  "  - name: scheduler-binpack\n");
  node.start();
  sdk::ApiClient api(node.bus(), node.subjects());
  add_node(api, "n1");
  add_node(api, "n2");
  // The spread pods are small, so packed-1's node stays the fuller one whatever the binpack
  // scheduler's cache has seen of them (two schedulers learn of each other's bindings late).
  add_pod(api, "spread-1", "", "100m");
  add_pod(api, "packed-1", "skiff-binpack", "1");
  ASSERT_TRUE(bound(api, "spread-1"));
  ASSERT_TRUE(bound(api, "packed-1"));
  add_pod(api, "spread-2", "", "100m");
  add_pod(api, "packed-2", "skiff-binpack", "1");
  ASSERT_TRUE(bound(api, "spread-2"));
  ASSERT_TRUE(bound(api, "packed-2"));
  EXPECT_EQ(node_of(api, "packed-1"), node_of(api, "packed-2"));  // bin packing keeps them together
  ASSERT_TRUE(test::wait_until([&] { return !scheduled_by(api, "packed-2").empty(); }, 10s));
  EXPECT_EQ(scheduled_by(api, "spread-1"), "default-scheduler");
  EXPECT_EQ(scheduled_by(api, "packed-2"), "skiff-binpack");
  add_pod(api, "nobody", "no-such-scheduler");
  add_pod(api, "after", "");
  ASSERT_TRUE(bound(api, "after"));
  EXPECT_EQ(node_of(api, "nobody"), "");
}

TEST(Schedulers, TheProfileSwapsTheDefaultForBinPacking) {
  test::NatsServer nats;
  // One line in the profile: bin packing now answers to the default schedulerName.
  test::PluginNode node(nats, std::string(kApi) +
                                  "  - name: scheduler-binpack\n"
                                  "    config: {scheduler_name: default-scheduler}\n");
  node.start();
  sdk::ApiClient api(node.bus(), node.subjects());
  for (const char* n : {"n1", "n2", "n3"}) add_node(api, n);
  for (int i = 0; i < 4; ++i) {
    add_pod(api, "p" + std::to_string(i));
    ASSERT_TRUE(bound(api, "p" + std::to_string(i)));
  }
  for (int i = 1; i < 4; ++i) EXPECT_EQ(node_of(api, "p" + std::to_string(i)), node_of(api, "p0"));
}

TEST(Schedulers, ReplicasElectOneLeaderAndFailOver) {
  test::NatsServer nats;
  test::PluginNode control(nats, kApi, "control");
  control.start();
  const std::string replica =
      "  - name: scheduler-default\n"
      "    config: {lease_duration: 2s, renew_deadline: 1500ms, retry_period: 200ms}\n";
  test::PluginNode a(nats, replica, "replica-a"), b(nats, replica, "replica-b");
  a.start();
  b.start();
  sdk::ApiClient api(control.bus(), control.subjects());
  add_node(api, "n1");

  std::string holder;
  ASSERT_TRUE(test::wait_until([&] {
    try {
      holder = api.get<api::coordination::v1::Lease>("kube-system", "default-scheduler").spec().holder_identity();
    } catch (const sdk::Error&) {
    }
    return !holder.empty();
  }, 10s));
  add_pod(api, "before");
  ASSERT_TRUE(bound(api, "before"));

  // Only the leader schedules: the other's log never says it became the leader.
  bool a_leads = holder == "replica-a_scheduler-default";
  test::PluginNode& leader = a_leads ? a : b;
  test::PluginNode& standby = a_leads ? b : a;
  EXPECT_NE(leader.output().find("became the leader"), std::string::npos);
  EXPECT_EQ(standby.output().find("became the leader"), std::string::npos);

  leader.kill();  // no clean step-down: the lease must expire
  add_pod(api, "after");
  ASSERT_TRUE(bound(api, "after", 20s)) << standby.output();
  EXPECT_NE(standby.output().find("became the leader"), std::string::npos);
  auto lease = api.get<api::coordination::v1::Lease>("kube-system", "default-scheduler");
  EXPECT_EQ(lease.spec().holder_identity(), (a_leads ? "replica-b" : "replica-a") + std::string("_scheduler-default"));
  EXPECT_GE(lease.spec().lease_transitions(), 1);
}

TEST(Schedulers, AConfigMistakeIsOneClearMessage) {
  test::NatsServer nats;
  test::PluginNode node(nats, std::string(kApi) +
                                  "  - name: scheduler-default\n"
                                  "    config:\n      filters: [NodeResourcesFit, NodeAfinity]\n");
  EXPECT_THROW(node.start(), std::exception);
  // Refused by skiffd from the plugin's config table, with the line, before the scheduler runs.
  EXPECT_NE(node.output().find("config key 'filters' may hold only NodeUnschedulable, TaintToleration"),
            std::string::npos)
      << node.output();
  EXPECT_NE(node.output().find("got 'NodeAfinity'"), std::string::npos) << node.output();
  EXPECT_NE(node.output().find("(line "), std::string::npos) << node.output();
}

}  // namespace
