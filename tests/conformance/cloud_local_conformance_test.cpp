// cloud-local passes the SDK's cloud provider conformance suite in both of its load balancer
// modes — a pool of its own, and the nodes' own addresses (no pool) — and with the routes it
// owns, kept in a network namespace the test makes (so the routes case runs against a real
// kernel table, never the machine's); the routes are then read back from that table.
#include <unistd.h>

#include <atomic>

#include "command.hpp"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/cloudprovider/cloud_provider_client.hpp"
#include "skiff/testing/plugin_harness.hpp"

namespace skiff::conformance {
namespace {

const char* kGateway = "10.213.251.2";  // on-link through the namespace's cc0

// A named namespace (/run/netns/NAME) with a veth pair, cc0 10.213.251.1/24, removed at the end.
class RoutesNetns {
 public:
  RoutesNetns() : name_("skiff-cloudconf-" + std::to_string(::getpid()) + "-" + std::to_string(next_++)) {
    ip({"netns", "add", name_});
    try {
      ip({"-n", name_, "link", "add", "cc0", "type", "veth", "peer", "name", "cc1"});
      ip({"-n", name_, "link", "set", "cc1", "up"});
      ip({"-n", name_, "addr", "add", "10.213.251.1/24", "dev", "cc0"});
      ip({"-n", name_, "link", "set", "cc0", "up"});
    } catch (...) {
      test::run_command({"ip", "netns", "delete", name_});  // no destructor for a half-made object
      throw;
    }
  }
  ~RoutesNetns() { test::run_command({"ip", "netns", "delete", name_}); }
  RoutesNetns(const RoutesNetns&) = delete;
  RoutesNetns& operator=(const RoutesNetns&) = delete;

  const std::string& name() const { return name_; }
  // `ip route show proto 75` there.
  std::string cloud_routes() const { return test::run_command({"ip", "-n", name_, "route", "show", "proto", "75"}).out; }

 private:
  static void ip(std::vector<std::string> args) {
    args.insert(args.begin(), "ip");
    auto result = test::run_command(args);
    if (result.exit_code != 0) throw std::runtime_error("ip: " + result.both());
  }
  static inline std::atomic<int> next_{0};
  std::string name_;
};

// cloud-local with `routes: true` in a namespace of its own; the namespace outlives the plugin.
class RoutesHarness final : public CloudProviderHarness {
 public:
  RoutesHarness()
      : inner_(test::cloud_provider_harness({"cloud-local", "", "routes: true\nroutes_netns: " + netns_.name()},
                                            kGateway)()) {}
  sdk::Bus& bus() override { return inner_->bus(); }
  const sdk::Subjects& subjects() override { return inner_->subjects(); }
  api::core::v1::Node live_node() override { return inner_->live_node(); }
  std::string route_gateway() override { return inner_->route_gateway(); }
  const RoutesNetns& netns() const { return netns_; }

 private:
  RoutesNetns netns_;
  std::unique_ptr<CloudProviderHarness> inner_;
};

}  // namespace

INSTANTIATE_TEST_SUITE_P(
    CloudLocal, CloudProviderConformance,
    ::testing::Values(
        CloudProviderConformanceParam{"pool",
                                      test::cloud_provider_harness({"cloud-local", "", "pool: [10.213.11.240-10.213.11.243]"})},
        CloudProviderConformanceParam{"node_addresses", test::cloud_provider_harness({"cloud-local"})},
        CloudProviderConformanceParam{"routes_in_netns", [] { return std::make_unique<RoutesHarness>(); }}),
    [](const auto& info) { return info.param.name; });

// What the provider's route calls do to the kernel: the namespace's main table, protocol 75.
TEST(CloudLocalRoutes, CreateAndDeleteChangeTheNamespacesRoutingTable) {
  RoutesHarness harness;
  sdk::CloudProviderClient client(harness.bus(), harness.subjects(), "conformance");
  api::core::v1::Node target;
  target.mutable_metadata()->set_name("routed");
  auto* address = target.mutable_status()->add_addresses();
  address->set_type("InternalIP");
  address->set_address(kGateway);
  sdk::ApiClient(harness.bus(), harness.subjects()).create(target);
  cloudprovider::v1::Route route;
  route.set_target_node("routed");
  route.set_destination_cidr("10.244.7.0/24");
  client.create_route("conformance", route);
  EXPECT_NE(harness.netns().cloud_routes().find("10.244.7.0/24 via 10.213.251.2 dev cc0"), std::string::npos)
      << harness.netns().cloud_routes();
  EXPECT_EQ(test::run_command({"ip", "route", "show", "proto", "75"}).out.find("10.244.7.0/24"), std::string::npos)
      << "the machine's own table is left alone";
  client.delete_route(route);
  EXPECT_EQ(harness.netns().cloud_routes(), "");
}

}  // namespace skiff::conformance
