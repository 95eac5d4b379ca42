// store-lmdb passes the SDK's store conformance suite, loaded by the real skiffd on a real bus.
#include "plugin_node.hpp"
#include "skiff/testing/store_conformance.hpp"

namespace {

using namespace skiff;

class SkiffdStoreHarness final : public conformance::StoreHarness {
 public:
  explicit SkiffdStoreHarness(const std::map<std::string, std::string>& config)
      : node_(nats_, plugins_yaml(config)) {
    node_.start();
  }
  sdk::Bus& bus() override { return node_.bus(); }
  const sdk::Subjects& subjects() override { return node_.subjects(); }
  void restart() override { node_.restart(); }

 private:
  static std::string plugins_yaml(const std::map<std::string, std::string>& config) {
    std::string yaml = "  - name: store-lmdb\n    config:\n      map_size: 256Mi\n";
    for (const auto& [key, value] : config) yaml += "      " + key + ": " + value + "\n";
    return yaml;
  }
  test::NatsServer nats_;
  test::PluginNode node_;
};

}  // namespace

namespace skiff::conformance {
INSTANTIATE_TEST_SUITE_P(StoreLmdb, StoreConformance,
                         ::testing::Values(StoreConformanceParam{
                             "store_lmdb", [](const std::map<std::string, std::string>& config) {
                               return std::make_unique<SkiffdStoreHarness>(config);
                             }}),
                         [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance
