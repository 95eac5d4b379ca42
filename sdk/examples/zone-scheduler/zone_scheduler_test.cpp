// zone-scheduler through the SDK's testing kit: the scheduler conformance suite every
// scheduler passes, and what it adds — pods go to the preferred zone when they fit there.
#include <gtest/gtest.h>

#include <set>

#include <skiff/api/core/v1/node.pb.h>
#include <skiff/api/core/v1/pod.pb.h>
#include <skiff/sdk/api_client.hpp>
#include <skiff/testing/plugin_harness.hpp>
#include <skiff/testing/skiffd.hpp>
#include <skiff/testing/wait.hpp>

namespace skiff::conformance {
// No zone labels on the suite's nodes: the preference scores every node alike, so it spreads.
INSTANTIATE_TEST_SUITE_P(ZoneScheduler, SchedulerConformance,
                         ::testing::Values(SchedulerConformanceParam{
                             "zone_scheduler", test::scheduler_harness({"zone-scheduler", SKIFF_PLUGIN_DIR}, "zone-scheduler"),
                             Scoring::Spread}),
                         [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;

void add_node(const sdk::ApiClient& api, const std::string& name, const std::string& zone) {
  core::Node node;
  node.mutable_metadata()->set_name(name);
  (*node.mutable_metadata()->mutable_labels())["kubernetes.io/hostname"] = name;
  (*node.mutable_metadata()->mutable_labels())["topology.kubernetes.io/zone"] = zone;
  (*node.mutable_status()->mutable_allocatable())["cpu"] = "4";
  (*node.mutable_status()->mutable_allocatable())["memory"] = "8Gi";
  api.create(node);
}

core::Pod pod(const std::string& name, const std::string& cpu) {
  core::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  pod.mutable_spec()->set_scheduler_name("zone-scheduler");
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image("busybox");
  (*c->mutable_resources()->mutable_requests())["cpu"] = cpu;
  return pod;
}

std::string bound_node(const sdk::ApiClient& api, const std::string& name) {
  std::string node;
  test::wait_until([&] { return !(node = api.get<core::Pod>("default", name).spec().node_name()).empty(); }, 15s);
  return node;
}

TEST(ZoneScheduler, PlacesPodsInItsZoneWhenTheyFit) {
  test::NatsServer nats;
  test::PluginNode node(nats,
                        "  - name: store-lmdb\n    config: {map_size: 64Mi}\n"
                        "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
                        "  - name: zone-scheduler\n    config: {zone: b, leader_elect: false}\n",
                        "zone-node", {SKIFF_PLUGIN_DIR});
  node.start();
  sdk::ApiClient api(node.bus(), node.subjects());
  add_node(api, "in-a", "a");
  add_node(api, "in-b", "b");
  api.create(pod("small", "500m"));
  EXPECT_EQ(bound_node(api, "small"), "in-b");  // the zone it prefers
  api.create(pod("too-big-for-b", "3"));         // only one fits: the built-in filters ran
  api.create(pod("also-big", "3"));
  std::set<std::string> nodes = {bound_node(api, "too-big-for-b"), bound_node(api, "also-big")};
  EXPECT_EQ(nodes, (std::set<std::string>{"in-a", "in-b"}));
}

}  // namespace
