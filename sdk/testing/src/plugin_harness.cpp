// One skiffd node per harness, on its own nats-server; what differs per suite is the
// plugin list around the plugin under test.
#include "skiff/testing/plugin_harness.hpp"

#include <cstdio>
#include <map>
#include <sstream>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/testing/skiffd.hpp"

namespace skiff::test {

namespace {

using Overrides = std::map<std::string, std::string>;

// "  - name: <plugin>\n    config:\n      <line>…" with the suite's overrides last (they win).
std::string plugin_entry(const PluginUnderTest& plugin, const Overrides& overrides, const std::string& extra_lines = "") {
  std::string yaml = "  - name: " + plugin.plugin + "\n" + extra_lines + "    config:\n";
  std::istringstream lines(plugin.config);
  std::map<std::string, std::string> config;
  for (std::string line; std::getline(lines, line);)
    if (auto colon = line.find(':'); colon != std::string::npos) config[line.substr(0, colon)] = line.substr(colon + 1);
  for (const auto& [key, value] : overrides) config[key] = " " + value;
  if (config.empty()) return "  - name: " + plugin.plugin + "\n" + extra_lines;
  for (const auto& [key, value] : config) yaml += "      " + key + ":" + value + "\n";
  return yaml;
}

std::vector<std::string> dirs_of(const PluginUnderTest& plugin) {
  return plugin.plugin_dir.empty() ? std::vector<std::string>{} : std::vector<std::string>{plugin.plugin_dir};
}

// A node of its own, started; on a failed test, skiffd's output goes to stderr.
class HostedNode {
 public:
  HostedNode(const std::string& plugins_yaml, const std::vector<std::string>& plugin_dirs)
      : node_(nats_, plugins_yaml, "conformance-node", plugin_dirs) {
    node_.start();
  }
  ~HostedNode() {
    if (::testing::Test::HasFailure()) std::fprintf(stderr, "skiffd output:\n%s\n", node_.output().c_str());
  }
  PluginNode& node() { return node_; }

 private:
  NatsServer nats_;
  PluginNode node_;
};

class RuntimeHarness final : public conformance::RuntimeHarness {
 public:
  RuntimeHarness(const PluginUnderTest& plugin, std::string image, std::string node)
      : image_(std::move(image)), node_name_(std::move(node)), hosted_(plugin_entry(plugin, {}), dirs_of(plugin)) {}
  sdk::Bus& bus() override { return hosted_.node().bus(); }
  const sdk::Subjects& subjects() override { return hosted_.node().subjects(); }
  std::string node() override { return node_name_; }
  std::string image() override { return image_; }

 private:
  std::string image_;
  std::string node_name_;
  HostedNode hosted_;
};

class StoreHarness final : public conformance::StoreHarness {
 public:
  StoreHarness(const PluginUnderTest& plugin, const Overrides& overrides)
      : hosted_(plugin_entry(plugin, overrides), dirs_of(plugin)) {}
  sdk::Bus& bus() override { return hosted_.node().bus(); }
  const sdk::Subjects& subjects() override { return hosted_.node().subjects(); }
  void restart() override { hosted_.node().restart(); }

 private:
  HostedNode hosted_;
};

class SchedulerHarness final : public conformance::SchedulerHarness {
 public:
  SchedulerHarness(const PluginUnderTest& plugin, std::string scheduler_name, Overrides overrides)
      : scheduler_name_(std::move(scheduler_name)), hosted_(plugins_yaml(plugin, std::move(overrides)), dirs_of(plugin)) {}
  sdk::Bus& bus() override { return hosted_.node().bus(); }
  const sdk::Subjects& subjects() override { return hosted_.node().subjects(); }
  std::string scheduler_name() override { return scheduler_name_; }

 private:
  static std::string plugins_yaml(const PluginUnderTest& plugin, Overrides overrides) {
    overrides.emplace("leader_elect", "false");
    return "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
           "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n" +
           plugin_entry(plugin, overrides, "    log_level: debug\n");
  }
  std::string scheduler_name_;
  HostedNode hosted_;
};

class CloudProviderHarness final : public conformance::CloudProviderHarness {
 public:
  CloudProviderHarness(const PluginUnderTest& plugin, std::string route_gateway)
      : route_gateway_(std::move(route_gateway)),
        hosted_("  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
                "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n" +
                    plugin_entry(plugin, {}, "    log_level: debug\n"),
                dirs_of(plugin)) {}
  sdk::Bus& bus() override { return hosted_.node().bus(); }
  const sdk::Subjects& subjects() override { return hosted_.node().subjects(); }
  api::core::v1::Node live_node() override {
    api::core::v1::Node node;
    node.mutable_metadata()->set_name("conformance-node");
    node.mutable_metadata()->set_uid("00000000-0000-0000-0000-000000000001");
    (*node.mutable_metadata()->mutable_labels())["kubernetes.io/hostname"] = "conformance-node";
    node.mutable_status()->mutable_node_info()->set_machine_id("c0f0c0f0c0f0c0f0c0f0c0f0c0f0c0f0");
    auto* address = node.mutable_status()->add_addresses();
    address->set_type("InternalIP");
    address->set_address("127.0.0.1");
    return node;
  }
  std::string route_gateway() override { return route_gateway_; }

 private:
  std::string route_gateway_;
  HostedNode hosted_;
};

}  // namespace

conformance::CloudProviderHarnessFactory cloud_provider_harness(PluginUnderTest plugin, std::string route_gateway) {
  return [=]() -> std::unique_ptr<conformance::CloudProviderHarness> {
    return std::make_unique<CloudProviderHarness>(plugin, route_gateway);
  };
}

conformance::RuntimeHarnessFactory runtime_harness(PluginUnderTest plugin, std::string image, std::string node) {
  return [=]() -> std::unique_ptr<conformance::RuntimeHarness> {
    return std::make_unique<RuntimeHarness>(plugin, image, node);
  };
}

conformance::StoreHarnessFactory store_harness(PluginUnderTest plugin) {
  return [=](const Overrides& overrides) -> std::unique_ptr<conformance::StoreHarness> {
    return std::make_unique<StoreHarness>(plugin, overrides);
  };
}

conformance::SchedulerHarnessFactory scheduler_harness(PluginUnderTest plugin, std::string scheduler_name) {
  return [=](const Overrides& overrides) -> std::unique_ptr<conformance::SchedulerHarness> {
    return std::make_unique<SchedulerHarness>(plugin, scheduler_name, overrides);
  };
}

}  // namespace skiff::test
