// The harnesses the conformance suites run on, for any plugin: a real nats-server and the
// real skiffd hosting the plugin under test, loaded from its build directory. A plugin's
// conformance test is then one INSTANTIATE line:
//
//   INSTANTIATE_TEST_SUITE_P(Mine, skiff::conformance::RuntimeConformance, ::testing::Values(
//       skiff::conformance::RuntimeConformanceParam{"my_runtime",
//           skiff::test::runtime_harness({"my-runtime", MY_PLUGIN_DIR}), /*real_processes=*/true}));
#pragma once

#include <string>
#include <utility>

#include "skiff/testing/cloud_provider_conformance.hpp"
#include "skiff/testing/runtime_conformance.hpp"
#include "skiff/testing/scheduler_conformance.hpp"
#include "skiff/testing/store_conformance.hpp"

namespace skiff::test {

struct PluginUnderTest {
  PluginUnderTest(std::string plugin, std::string plugin_dir = "", std::string config = "")
      : plugin(std::move(plugin)), plugin_dir(std::move(plugin_dir)), config(std::move(config)) {}

  std::string plugin;      // its name, as its .so is called
  std::string plugin_dir;  // the directory its .so is in; "" for skiffd's own plugin dir
  std::string config;      // its config block as YAML mapping lines ("handler: mine\nnodes: 3"); "" for defaults
};

// The runtime on the skiffd node "conformance-node"; `node` names another one when the
// plugin serves other nodes (simulated ones); `image` must hold busybox's tools.
conformance::RuntimeHarnessFactory runtime_harness(PluginUnderTest plugin, std::string image = "skiff/busybox:1",
                                                   std::string node = "conformance-node");
// The store alone on the node; the suite's config overrides go into its config block.
conformance::StoreHarnessFactory store_harness(PluginUnderTest plugin);
// The scheduler beside skiffd's own store-lmdb and apiserver (plain HTTP on a free port);
// `scheduler_name` is the spec.schedulerName it answers to. The suite sets the config keys
// `pod_initial_backoff`, `pod_max_backoff` (short retries) and `leader_elect: false`, so the
// scheduler must declare them (as the built-in ones and examples/zone-scheduler do).
conformance::SchedulerHarnessFactory scheduler_harness(PluginUnderTest plugin, std::string scheduler_name);
// The cloud provider beside skiffd's own store-lmdb and apiserver; the live node is the
// skiffd node "conformance-node" itself (machine-id and address 127.0.0.1 as a kubelet writes them).
// `route_gateway`: an address on-link where the provider's routes go (see route_gateway()).
conformance::CloudProviderHarnessFactory cloud_provider_harness(PluginUnderTest plugin,
                                                                std::string route_gateway = "127.0.0.1");

}  // namespace skiff::test
