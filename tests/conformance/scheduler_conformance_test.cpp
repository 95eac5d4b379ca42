// scheduler-default and scheduler-binpack pass the SDK's scheduler conformance suite, each in a
// real skiffd with store-lmdb and the apiserver on a real bus.
#include <cstdio>

#include "plugin_node.hpp"
#include "skiff/testing/scheduler_conformance.hpp"

namespace {

using namespace skiff;

class SkiffdSchedulerHarness final : public conformance::SchedulerHarness {
 public:
  SkiffdSchedulerHarness(const std::string& plugin, std::string scheduler_name,
                         const std::map<std::string, std::string>& config)
      : scheduler_name_(std::move(scheduler_name)), node_(nats_, plugins_yaml(plugin, config)) {
    node_.start();
  }
  ~SkiffdSchedulerHarness() override {
    if (::testing::Test::HasFailure()) std::fprintf(stderr, "skiffd output:\n%s\n", node_.output().c_str());
  }
  sdk::Bus& bus() override { return node_.bus(); }
  const sdk::Subjects& subjects() override { return node_.subjects(); }
  std::string scheduler_name() override { return scheduler_name_; }

 private:
  static std::string plugins_yaml(const std::string& plugin, const std::map<std::string, std::string>& config) {
    std::string yaml =
        "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
        "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
        "  - name: " + plugin + "\n    log_level: debug\n    config:\n      leader_elect: false\n";
    for (const auto& [key, value] : config) yaml += "      " + key + ": " + value + "\n";
    return yaml;
  }
  std::string scheduler_name_;
  test::NatsServer nats_;
  test::PluginNode node_;
};

conformance::SchedulerHarnessFactory factory(std::string plugin, std::string scheduler_name) {
  return [=](const std::map<std::string, std::string>& config) {
    return std::make_unique<SkiffdSchedulerHarness>(plugin, scheduler_name, config);
  };
}

}  // namespace

namespace skiff::conformance {
INSTANTIATE_TEST_SUITE_P(
    Schedulers, SchedulerConformance,
    ::testing::Values(
        SchedulerConformanceParam{"scheduler_default", factory("scheduler-default", "default-scheduler"), Scoring::Spread},
        SchedulerConformanceParam{"scheduler_binpack", factory("scheduler-binpack", "skiff-binpack"), Scoring::BinPack}),
    [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance
