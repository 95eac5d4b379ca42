// A Service leaving NodePort/LoadBalancer for ClusterIP loses its node ports, as Kubernetes
// drops type-dependent fields: the patch is accepted (not "nodePort: Forbidden") and the ports
// go back to the allocator for other Services.
#include <gtest/gtest.h>

#include "api_node.hpp"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/sdk/api_client.hpp"

namespace {

using namespace skiff;
namespace core = api::core::v1;

core::Service service(const std::string& name, const std::string& type) {
  core::Service s;
  s.mutable_metadata()->set_name(name);
  s.mutable_metadata()->set_namespace_("default");
  s.mutable_spec()->set_type(type);
  auto* port = s.mutable_spec()->add_ports();
  port->set_port(80);
  port->set_protocol("TCP");
  port->mutable_target_port()->set_int_val(8080);
  return s;
}

class ServiceTypeChange : public ::testing::Test {
 protected:
  // One node port only, so that a port not released is seen at once.
  test::ApiNode node{"      node_port_range: 30100-30100\n"};
  sdk::ApiClient api{node.node().bus(), node.node().subjects()};
};

TEST_F(ServiceTypeChange, ToClusterIpClearsAndReleasesTheNodePorts) {
  for (const char* type : {"NodePort", "LoadBalancer"}) {
    SCOPED_TRACE(type);
    auto created = api.create(service("first", type));
    ASSERT_EQ(created.spec().ports(0).node_port(), 30100);
    auto changed = api.patch<core::Service>("default", "first", "merge", R"({"spec":{"type":"ClusterIP"}})");
    EXPECT_EQ(changed.spec().type(), "ClusterIP");
    EXPECT_EQ(changed.spec().ports(0).node_port(), 0);
    auto second = api.create(service("second", "NodePort"));
    EXPECT_EQ(second.spec().ports(0).node_port(), 30100) << "the released port is given again";
    api.erase<core::Service>("default", "first");
    api.erase<core::Service>("default", "second");
  }
}

TEST_F(ServiceTypeChange, ANodePortAddedWithTheChangeIsStillRefused) {
  api.create(service("first", "NodePort"));
  try {
    api.patch<core::Service>("default", "first", "json",
                             R"([{"op":"replace","path":"/spec/type","value":"ClusterIP"},)"
                             R"({"op":"replace","path":"/spec/ports/0/nodePort","value":30101}])");
    FAIL() << "a ClusterIP Service asking for a new nodePort was accepted";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 422);
    EXPECT_NE(e.status().message.find("nodePort"), std::string::npos) << e.status().message;
  }
}

}  // namespace

// A LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort from the node port
// range, kept across updates and given back when the policy (or the Service) goes.
class HealthCheckNodePort : public ::testing::Test {
 protected:
  test::ApiNode node{"      node_port_range: 30100-30101\n"};
  sdk::ApiClient api{node.node().bus(), node.node().subjects()};
};

TEST_F(HealthCheckNodePort, ALocalLoadBalancerGetsOneKeptUntilThePolicyChanges) {
  auto local = service("local", "LoadBalancer");
  local.mutable_spec()->set_external_traffic_policy("Local");
  auto created = api.create(local);
  int health = created.spec().health_check_node_port();
  EXPECT_TRUE(health == 30100 || health == 30101) << health;
  EXPECT_NE(health, created.spec().ports(0).node_port());
  auto relabelled = api.patch<core::Service>("default", "local", "merge", R"({"metadata":{"labels":{"a":"b"}}})");
  EXPECT_EQ(relabelled.spec().health_check_node_port(), health) << "kept across updates";
  auto cluster = api.patch<core::Service>("default", "local", "merge", R"({"spec":{"externalTrafficPolicy":"Cluster"}})");
  EXPECT_EQ(cluster.spec().health_check_node_port(), 0) << "externalTrafficPolicy Cluster: none";
  auto next = api.create(service("next", "LoadBalancer"));  // the range's two ports: one was the health check's
  EXPECT_EQ(next.spec().ports(0).node_port(), health) << "given back";
  EXPECT_EQ(next.spec().health_check_node_port(), 0);
}
