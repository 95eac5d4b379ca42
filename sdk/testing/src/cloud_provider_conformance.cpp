// The cloud provider conformance suite (see the header): each part the provider claims is
// checked for the answers the cloud-controller-manager relies on; each part it does not claim
// must answer 501, never a wrong answer.
#include "skiff/testing/cloud_provider_conformance.hpp"

#include <set>

#include "skiff/api/core/v1/service.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/cloudprovider/cloud_provider_client.hpp"

namespace skiff::conformance {

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CloudProviderConformance);
namespace {

namespace core = api::core::v1;
namespace cp = cloudprovider::v1;

// The provider as the cloud-controller-manager sees it.
class Provider {
 public:
  explicit Provider(CloudProviderHarness& harness)
      : client_(harness.bus(), harness.subjects(), "conformance"), api_(harness.bus(), harness.subjects()) {}

  const sdk::CloudProviderClient& client() const { return client_; }
  cp::CapabilitiesResponse capabilities() const { return client_.capabilities(); }

  // A LoadBalancer Service stored in the API (providers may look it up), with one TCP port.
  core::Service service(const std::string& name, int port) const {
    core::Service s;
    s.mutable_metadata()->set_name(name);
    s.mutable_metadata()->set_namespace_("default");
    s.mutable_spec()->set_type("LoadBalancer");
    auto* p = s.mutable_spec()->add_ports();
    p->set_port(port);
    p->set_protocol("TCP");
    p->mutable_target_port()->set_int_val(port);
    return api_.create(s);
  }

  // A Node in the API whose InternalIP is `gateway` (providers find a route's node there).
  core::Node node_routed_through(const std::string& name, const std::string& gateway) const {
    core::Node node;
    node.mutable_metadata()->set_name(name);
    auto* address = node.mutable_status()->add_addresses();
    address->set_type("InternalIP");
    address->set_address(gateway);
    return api_.create(node);
  }

 private:
  sdk::CloudProviderClient client_;
  sdk::ApiClient api_;
};

int code_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const sdk::Error& e) {
    return e.status().code;
  }
  return 200;
}

std::set<std::string> ips_of(const core::LoadBalancerStatus& status) {
  std::set<std::string> ips;
  for (const auto& ingress : status.ingress()) ips.insert(ingress.ip());
  return ips;
}

core::Node unknown_node(core::Node node) {
  node.mutable_metadata()->set_name("conformance-gone-machine");
  node.mutable_metadata()->set_uid("00000000-0000-0000-0000-00000000dead");
  node.mutable_status()->mutable_node_info()->set_machine_id("0000000000000000000000000000dead");
  node.mutable_spec()->clear_provider_id();
  return node;
}

TEST_P(CloudProviderConformance, CapabilitiesNameTheProvider) {
  Provider provider(harness());
  auto caps = provider.capabilities();
  EXPECT_FALSE(caps.provider_name().empty()) << "provider_name is the providerID scheme; it may not be empty";
  EXPECT_EQ(caps.provider_name().find_first_of(":/ "), std::string::npos) << caps.provider_name();
}

TEST_P(CloudProviderConformance, PartsNotClaimedAnswerNotImplemented) {
  Provider provider(harness());
  auto caps = provider.capabilities();
  const auto& client = provider.client();
  core::Node node = harness().live_node();
  if (!caps.instances()) EXPECT_EQ(code_of([&] { client.instance_exists(node); }), 501);
  if (!caps.load_balancer()) EXPECT_EQ(code_of([&] { client.get_load_balancer(provider.service("unclaimed", 80)); }), 501);
  if (!caps.routes()) EXPECT_EQ(code_of([&] { client.list_routes(); }), 501);
}

TEST_P(CloudProviderConformance, InstancesKnowALiveMachine) {
  Provider provider(harness());
  if (!provider.capabilities().instances()) GTEST_SKIP() << "no InstancesV2";
  const auto& client = provider.client();
  core::Node node = harness().live_node();
  EXPECT_TRUE(client.instance_exists(node));
  EXPECT_FALSE(client.instance_shutdown(node));
  auto metadata = client.instance_metadata(node);
  EXPECT_EQ(metadata.provider_id().rfind(provider.capabilities().provider_name() + "://", 0), 0u)
      << "providerID " << metadata.provider_id() << " must be <provider_name>://<instance>";
  EXPECT_FALSE(metadata.node_addresses().empty()) << "a machine has at least one address";
  EXPECT_EQ(client.instance_metadata(node).provider_id(), metadata.provider_id()) << "the providerID is stable";
}

TEST_P(CloudProviderConformance, InstancesOfAMachineThatIsGoneDoNotExist) {
  Provider provider(harness());
  if (!provider.capabilities().instances()) GTEST_SKIP() << "no InstancesV2";
  EXPECT_FALSE(provider.client().instance_exists(unknown_node(harness().live_node())));
}

TEST_P(CloudProviderConformance, EnsuringALoadBalancerTwiceGivesTheSameOne) {
  Provider provider(harness());
  if (!provider.capabilities().load_balancer()) GTEST_SKIP() << "no LoadBalancer";
  const auto& client = provider.client();
  core::Service service = provider.service("web", 80);
  std::vector<core::Node> nodes{harness().live_node()};
  EXPECT_FALSE(client.get_load_balancer(service).exists());
  auto first = client.ensure_load_balancer(service, nodes);
  ASSERT_FALSE(first.ingress().empty()) << "an ensured load balancer has an ingress";
  EXPECT_EQ(ips_of(client.ensure_load_balancer(service, nodes)), ips_of(first));
  auto got = client.get_load_balancer(service);
  EXPECT_TRUE(got.exists());
  EXPECT_EQ(ips_of(got.status()), ips_of(first));
  client.update_load_balancer(service, nodes);
  EXPECT_EQ(ips_of(client.get_load_balancer(service).status()), ips_of(first)) << "an update keeps the address";
}

TEST_P(CloudProviderConformance, TwoServicesNeverShareAnAddressAndPort) {
  Provider provider(harness());
  if (!provider.capabilities().load_balancer()) GTEST_SKIP() << "no LoadBalancer";
  const auto& client = provider.client();
  std::vector<core::Node> nodes{harness().live_node()};
  auto a = client.ensure_load_balancer(provider.service("first", 8080), nodes);
  core::LoadBalancerStatus b;
  int code = code_of([&] { b = client.ensure_load_balancer(provider.service("second", 8080), nodes); });
  if (code == 409) return;  // refused: the provider has one address for both, and said so
  ASSERT_EQ(code, 200);
  for (const auto& ip : ips_of(b)) EXPECT_EQ(ips_of(a).count(ip), 0u) << ip << " given to two Services on port 8080";
}

TEST_P(CloudProviderConformance, EnsureDeletedForgetsTheLoadBalancerAndMayRepeat) {
  Provider provider(harness());
  if (!provider.capabilities().load_balancer()) GTEST_SKIP() << "no LoadBalancer";
  const auto& client = provider.client();
  core::Service service = provider.service("gone", 80);
  client.ensure_load_balancer(service, {harness().live_node()});
  client.ensure_load_balancer_deleted(service);
  EXPECT_FALSE(client.get_load_balancer(service).exists());
  EXPECT_EQ(code_of([&] { client.ensure_load_balancer_deleted(service); }), 200) << "deleting twice is no error";
}

TEST_P(CloudProviderConformance, RoutesAreListedUntilDeleted) {
  Provider provider(harness());
  if (!provider.capabilities().routes()) GTEST_SKIP() << "no Routes";
  const auto& client = provider.client();
  core::Node target = provider.node_routed_through("conformance-route-target", harness().route_gateway());
  cp::Route route;
  route.set_target_node(target.metadata().name());
  route.set_destination_cidr("10.213.250.0/24");
  client.create_route("conformance", route);
  auto listed = [&] {
    for (const auto& r : client.list_routes())
      if (r.destination_cidr() == route.destination_cidr() && r.target_node() == route.target_node()) return true;
    return false;
  };
  EXPECT_TRUE(listed()) << "a route created is listed, naming its node";
  client.create_route("conformance", route);
  EXPECT_TRUE(listed()) << "creating twice is no error";
  client.delete_route(route);
  EXPECT_FALSE(listed());
  EXPECT_EQ(code_of([&] { client.delete_route(route); }), 200) << "deleting twice is no error";
}

}  // namespace
}  // namespace skiff::conformance
