// The cloud-controller-manager with the cloud-local provider against a real bus, store and
// apiserver (one skiffd): nodes initialised, LoadBalancer Services given pool addresses (never
// one to two Services, requests honoured or refused with an Event, an exhausted pool pending
// with one Event), released on a type change, kept across a restart; a node whose machine no
// longer answers deleted, and its pods with it (the controller-manager's podgc); one whose skiffd
// stopped cleanly tainted shut down until it is back; a provider that starts after the
// controllers, or comes back with other capabilities, taken up.
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "command.hpp"
#include "plugin_node.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/time.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;

const char* kPool = "10.213.11.200-10.213.11.202";

const char* kControlPlane =
    "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
    "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
    "  - name: scheduler-default\n    config: {leader_elect: false, pod_initial_backoff: 50ms}\n"
    "  - name: controller-manager\n    config: {leader_elect: false, controllers: [podgc]}\n"
    "  - name: cloud-controller-manager\n    config: {leader_elect: false, node_monitor_period: 200ms,"
    " capabilities_refresh: 200ms, route_reconcile_period: 1s}\n";

std::string cloud_local(const std::string& extra = "") {
  return std::string("  - name: cloud-local\n    config: {pool: [") + kPool +
         "], instance_probe_timeout: 300ms, instance_gone_after: 1s" + extra + "}\n";
}

std::string plugins() { return kControlPlane + cloud_local(); }

core::Service load_balancer(const std::string& name, int port = 80, const std::string& requested = "") {
  core::Service s;
  s.mutable_metadata()->set_name(name);
  s.mutable_metadata()->set_namespace_("default");
  if (!requested.empty()) (*s.mutable_metadata()->mutable_annotations())["skiff.io/load-balancer-ip"] = requested;
  s.mutable_spec()->set_type("LoadBalancer");
  auto* p = s.mutable_spec()->add_ports();
  p->set_port(port);
  p->set_protocol("TCP");
  p->mutable_target_port()->set_int_val(8080);
  return s;
}

bool has_shutdown_taint(const core::Node& node) {
  for (const auto& taint : node.spec().taints())
    if (taint.key() == "node.cloudprovider.kubernetes.io/shutdown" && taint.effect() == "NoSchedule") return true;
  return false;
}

core::Node node(const std::string& name, const std::string& ready, bool uninitialized) {
  core::Node n;
  n.mutable_metadata()->set_name(name);
  if (uninitialized) {
    auto* taint = n.mutable_spec()->add_taints();
    taint->set_key("node.cloudprovider.kubernetes.io/uninitialized");
    taint->set_value("true");
    taint->set_effect("NoSchedule");
  }
  auto* address = n.mutable_status()->add_addresses();
  address->set_type("InternalIP");
  address->set_address("127.0.0.1");
  auto* condition = n.mutable_status()->add_conditions();
  condition->set_type("Ready");
  condition->set_status(ready);
  condition->set_last_transition_time(sdk::now_rfc3339());
  for (auto* resources : {n.mutable_status()->mutable_capacity(), n.mutable_status()->mutable_allocatable()}) {
    (*resources)["cpu"] = "4";
    (*resources)["memory"] = "8Gi";
    (*resources)["pods"] = "110";
  }
  return n;
}

class CloudControllers : public ::testing::Test {
 protected:
  void SetUp() override { node_.start(); }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "skiffd output:\n%s\n", node_.output().c_str());
  }

  // The Service's ingress IP once it has one; "" when `timeout` passes first.
  std::string ingress_of(const std::string& name, std::chrono::milliseconds timeout = 10s) {
    std::string ip;
    test::wait_until([&] {
      auto s = api_.get<core::Service>("default", name);
      if (s.status().load_balancer().ingress_size() > 0) ip = s.status().load_balancer().ingress(0).ip();
      return !ip.empty();
    }, timeout);
    return ip;
  }
  std::vector<core::Event> events(const std::string& name, const std::string& reason) {
    std::vector<core::Event> out;
    for (auto& e : api_.list<core::Event>("default"))
      if (e.involved_object().name() == name && e.reason() == reason) out.push_back(std::move(e));
    return out;
  }
  bool gone(const std::string& name) {
    try {
      api_.get<core::Service>("default", name);
      return false;
    } catch (const sdk::Error& e) {
      return e.status().code == 404;
    }
  }

  test::NatsServer nats_;
  test::PluginNode node_{nats_, plugins()};
  sdk::ApiClient api_{node_.bus(), node_.subjects()};
};

TEST_F(CloudControllers, ARegisteredNodeIsInitialisedAndOnlyThenUntainted) {
  api_.create(node("test-node", "True", true));  // the skiffd node itself: its machine answers
  ASSERT_TRUE(test::wait_until([&] { return api_.get<core::Node>("", "test-node").spec().taints().empty(); }));
  auto initialised = api_.get<core::Node>("", "test-node");
  EXPECT_EQ(initialised.spec().provider_id(), "local://test-node");
  EXPECT_EQ(initialised.metadata().labels().at("topology.kubernetes.io/zone"), "local");
  EXPECT_EQ(initialised.metadata().labels().at("topology.kubernetes.io/region"), "local");
  EXPECT_EQ(initialised.metadata().labels().at("node.kubernetes.io/instance-type"), "local");
}

TEST_F(CloudControllers, APodWaitingForANodeLandsOnlyOnceTheNodeIsInitialised) {
  core::Pod pod;
  pod.mutable_metadata()->set_name("early");
  pod.mutable_metadata()->set_namespace_("default");
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image("busybox");
  api_.create(pod);  // pending: no node yet
  api_.create(node("test-node", "True", true));
  ASSERT_TRUE(test::wait_until([&] { return !api_.get<core::Pod>("default", "early").spec().node_name().empty(); }));
  auto bound = api_.get<core::Pod>("default", "early");
  auto initialised = api_.get<core::Node>("", "test-node");
  ASSERT_EQ(initialised.spec().provider_id(), "local://test-node");
  // One revision counter for every object: the binding was written after the initialisation.
  EXPECT_GT(std::stoll(bound.metadata().resource_version()), std::stoll(initialised.metadata().resource_version()));
}

TEST_F(CloudControllers, LoadBalancersGetPoolAddressesNeverShared) {
  api_.create(load_balancer("web"));
  api_.create(load_balancer("api"));  // the same port: an address of its own
  std::string web = ingress_of("web"), api = ingress_of("api");
  ASSERT_FALSE(web.empty());
  ASSERT_FALSE(api.empty());
  EXPECT_NE(web, api);
  EXPECT_EQ(std::set<std::string>({web, api}), std::set<std::string>({"10.213.11.200", "10.213.11.201"}));
  auto service = api_.get<core::Service>("default", "web");
  ASSERT_EQ(service.metadata().finalizers_size(), 1);
  EXPECT_EQ(service.metadata().finalizers(0), "service.kubernetes.io/load-balancer-cleanup");
  EXPECT_FALSE(events("web", "EnsuredLoadBalancer").empty());
}

TEST_F(CloudControllers, ARequestedAddressIsHonouredOrRefusedWithAnEventWhenTaken) {
  api_.create(load_balancer("first", 80, "10.213.11.202"));
  EXPECT_EQ(ingress_of("first"), "10.213.11.202");
  auto second = load_balancer("second", 81);
  second.mutable_spec()->set_load_balancer_ip("10.213.11.202");
  api_.create(second);
  ASSERT_TRUE(test::wait_until([&] { return !events("second", "LoadBalancerIPTaken").empty(); }));
  EXPECT_NE(events("second", "LoadBalancerIPTaken")[0].message().find("default/first"), std::string::npos);
  EXPECT_EQ(api_.get<core::Service>("default", "second").status().load_balancer().ingress_size(), 0);
}

TEST_F(CloudControllers, AnExhaustedPoolLeavesTheServicePendingWithOneEventUntilAnAddressIsFree) {
  for (const char* name : {"a", "b", "c"}) api_.create(load_balancer(name));
  for (const char* name : {"a", "b", "c"}) ASSERT_FALSE(ingress_of(name).empty()) << name;
  api_.create(load_balancer("d"));
  ASSERT_TRUE(test::wait_until([&] { return !events("d", "PoolExhausted").empty(); }));
  auto exhausted = events("d", "PoolExhausted");
  EXPECT_EQ(exhausted.size(), 1u);
  EXPECT_EQ(exhausted[0].count(), 1) << "said once, not retried in a loop";
  std::string b = ingress_of("b");
  api_.erase<core::Service>("default", "b");
  EXPECT_EQ(ingress_of("d"), b) << "the released address goes to the pending Service";
  EXPECT_TRUE(test::wait_until([&] { return gone("b"); })) << "the finalizer went with the load balancer";
}

TEST_F(CloudControllers, ChangingTheTypeToClusterIpReleasesTheAddress) {
  api_.create(load_balancer("web"));
  std::string ip = ingress_of("web");
  ASSERT_FALSE(ip.empty());
  api_.patch<core::Service>("default", "web", "merge", R"({"spec":{"type":"ClusterIP"}})");
  ASSERT_TRUE(test::wait_until([&] {
    auto s = api_.get<core::Service>("default", "web");
    return s.status().load_balancer().ingress().empty() && s.metadata().finalizers().empty();
  }));
  api_.create(load_balancer("next", 80, ip));
  EXPECT_EQ(ingress_of("next"), ip) << "the address is free again";
}

TEST_F(CloudControllers, ANodeWhoseMachineIsGoneIsDeletedWithItsPods) {
  api_.create(node("ghost", "Unknown", false));  // no skiffd answers for "ghost"
  core::Pod pod;
  pod.mutable_metadata()->set_name("stranded");
  pod.mutable_metadata()->set_namespace_("default");
  pod.mutable_spec()->set_node_name("ghost");
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image("busybox");
  api_.create(pod);
  ASSERT_TRUE(test::wait_until([&] { return api_.list<core::Node>().empty(); })) << "the Node is deleted";
  EXPECT_TRUE(test::wait_until([&] { return api_.list<core::Pod>("default").empty(); })) << "and its pod";
  EXPECT_FALSE(events("ghost", "DeletingNode").empty());
}

TEST_F(CloudControllers, ARestartGivesNoAddressToAnotherService) {
  api_.create(load_balancer("web"));
  api_.create(load_balancer("api"));
  std::string web = ingress_of("web"), api = ingress_of("api");
  ASSERT_FALSE(web.empty());
  ASSERT_FALSE(api.empty());
  node_.restart();
  api_.create(load_balancer("late"));
  std::string late = ingress_of("late");
  EXPECT_FALSE(late.empty());
  EXPECT_NE(late, web);
  EXPECT_NE(late, api);
  EXPECT_EQ(ingress_of("web"), web);
  EXPECT_EQ(ingress_of("api"), api);
}

// A machine shut down: its skiffd stops cleanly (SIGTERM) and says so on the bus; its Node is
// tainted, not deleted, however long it stays down, and loses the taint once it answers again.
// Killed instead (no announcement), it would be gone: see ANodeWhoseMachineIsGone….
TEST_F(CloudControllers, ACleanlyStoppedMachineIsTaintedShutDownUntilItIsBack) {
  test::PluginNode machine(nats_, "", "resting");
  machine.start();
  api_.create(node("resting", "False", false));  // NotReady: its kubelet stopped with it
  machine.stop();
  ASSERT_TRUE(test::wait_until([&] { return has_shutdown_taint(api_.get<core::Node>("", "resting")); }))
      << "the Node of a machine shut down is tainted";
  EXPECT_FALSE(test::wait_until([&] { return api_.list<core::Node>().empty(); }, 3s))
      << "the Node is kept well past instance_gone_after (1s): a machine shut down is not gone";
  machine.start();
  EXPECT_TRUE(test::wait_until([&] { return !has_shutdown_taint(api_.get<core::Node>("", "resting")); }))
      << "the taint goes once the machine answers again";
}

// The controllers before any provider, then cloud-local on another node: taken up (a pending
// LoadBalancer gets its address); then cloud-local restarted owning routes (in a namespace of
// the test's): the route controller, which skipped routes, now makes them.
class CloudControllersBeforeTheProvider : public ::testing::Test {
 protected:
  void SetUp() override {
    control_plane_.start();
    ASSERT_EQ(test::run_command({"ip", "netns", "add", netns_}).exit_code, 0);
    for (const auto& args : {std::vector<std::string>{"link", "add", "rt0", "type", "veth", "peer", "name", "rt1"},
                             {"addr", "add", "10.213.252.1/24", "dev", "rt0"}, {"link", "set", "rt0", "up"},
                             {"link", "set", "rt1", "up"}}) {
      std::vector<std::string> argv{"ip", "-n", netns_};
      argv.insert(argv.end(), args.begin(), args.end());
      ASSERT_EQ(test::run_command(argv).exit_code, 0);
    }
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "skiffd output:\n%s\n%s\n", control_plane_.output().c_str(),
                                   provider_.output().c_str());
    provider_.stop();
    test::run_command({"ip", "netns", "delete", netns_});
  }
  std::string routes() { return test::run_command({"ip", "-n", netns_, "route", "show", "proto", "75"}).out; }

  test::NatsServer nats_;
  test::PluginNode control_plane_{nats_, kControlPlane};
  const std::string netns_ = "skiff-ccm-" + std::to_string(::getpid());
  test::PluginNode provider_{nats_, cloud_local(), "provider-node"};
  sdk::ApiClient api_{control_plane_.bus(), control_plane_.subjects()};
};

TEST_F(CloudControllersBeforeTheProvider, AProviderStartingLaterOrComingBackDifferentIsTakenUp) {
  api_.create(load_balancer("early"));
  auto routed = node("routed", "True", false);
  routed.mutable_status()->mutable_addresses(0)->set_address("10.213.252.2");
  routed.mutable_spec()->set_pod_cidr("10.244.9.0/24");
  api_.create(routed);
  provider_.start();
  EXPECT_TRUE(test::wait_until([&] {
    return api_.get<core::Service>("default", "early").status().load_balancer().ingress_size() > 0;
  })) << "a LoadBalancer pending before the provider came gets its address";

  test::PluginNode with_routes(nats_, cloud_local(", routes: true, routes_netns: " + netns_), "provider-node");
  provider_.stop();
  with_routes.start();
  EXPECT_TRUE(test::wait_until([&] { return routes().find("10.244.9.0/24 via 10.213.252.2") != std::string::npos; }))
      << "the provider came back with routes: " << routes();
  with_routes.stop();
}

}  // namespace
