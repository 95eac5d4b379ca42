// The out-of-tree zone-scheduler (built against the installed SDK and its libskiff-scheduling)
// loads into skiffd beside the built-in API plugins and places a pod in its preferred zone.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "nats_server.hpp"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiffd_process.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"

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

TEST(ExampleScheduler, BuiltOutOfTreeItPlacesPodsInItsZone) {
  std::string plugin_dir = SKIFF_EXAMPLE_SCHEDULER_BUILD_DIR;
  ASSERT_TRUE(std::filesystem::exists(plugin_dir + "/zone-scheduler.so"))
      << "the example_scheduler_build_out_of_tree test must run first";
  test::NatsServer nats;
  test::TempDir dir;
  std::ofstream(dir.file("profile.yaml")) << "node: zone-node\ncluster: test\n" << nats.profile_bus_yaml()
                                          << "plugins:\n"
                                             "  - name: store-lmdb\n    config: {map_size: 64Mi}\n"
                                             "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
                                             "  - name: zone-scheduler\n    config: {zone: b}\n";
  test::SkiffdProcess skiffd({"--profile", dir.file("profile.yaml"), "--plugin-path", plugin_dir, "--data-dir",
                              dir.file("data")},
                             dir.file("skiffd.log"));
  ASSERT_TRUE(test::wait_until([&] { return skiffd.output_contains(" ready: "); }, 20s)) << skiffd.output();

  auto bus = sdk::connect_bus(nats.options());
  sdk::ApiClient api(*bus, sdk::Subjects("test", "zone-node"));
  add_node(api, "in-a", "a");
  add_node(api, "in-b", "b");
  api.create(pod("small", "500m"));
  EXPECT_EQ(bound_node(api, "small"), "in-b");  // the zone it prefers
  api.create(pod("too-big-for-b", "3"));         // only one fits: the built-in filters ran
  api.create(pod("also-big", "3"));
  std::set<std::string> nodes = {bound_node(api, "too-big-for-b"), bound_node(api, "also-big")};
  EXPECT_EQ(nodes, (std::set<std::string>{"in-a", "in-b"}));
  EXPECT_EQ(skiffd.terminate(), 0) << skiffd.output();
}

}  // namespace
