// The ingress addon's controller against a real API (store-lmdb and apiserver in skiffd, on a
// nats-server of the test's own) and the real proxy on 127.0.0.1: an Ingress written through
// the API is served, its status names the proxy's address, its problems become Events.
#include <gtest/gtest.h>
#include <spdlog/logger.h>

#include "api_node.hpp"
#include "ingress_adapter.hpp"
#include "ingress_class_setup.hpp"
#include "ingress_controller.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/resources.hpp"
#include "skiff/sdk/store_client.hpp"
#include "test_backend.hpp"
#include "test_client.hpp"
#include "wait.hpp"

namespace skiff::ingress::test {
namespace {

using namespace std::chrono_literals;
namespace core = api::core::v1;
namespace discovery = api::discovery::v1;
namespace net = api::networking::v1;

core::Service service_object(const std::string& name) {
  core::Service s;
  s.mutable_metadata()->set_namespace_("default");
  s.mutable_metadata()->set_name(name);
  auto* port = s.mutable_spec()->add_ports();
  port->set_name("http");
  port->set_protocol("TCP");
  port->set_port(80);
  return s;
}

// The backend's address is 127.0.0.1, which the API refuses in a slice (as Kubernetes does):
// the slice goes straight into the store, where informers read it like any other.
void store_slice(sdk::StoreClient& store, const std::string& service, const Endpoint& endpoint) {
  discovery::EndpointSlice s;
  s.mutable_metadata()->set_namespace_("default");
  s.mutable_metadata()->set_name(service + "-abcde");
  (*s.mutable_metadata()->mutable_labels())["kubernetes.io/service-name"] = service;
  s.set_address_type("IPv4");
  auto* e = s.add_endpoints();
  e->add_addresses(endpoint.address);
  e->mutable_conditions()->set_ready(true);
  auto* port = s.add_ports();
  port->set_name("http");
  port->set_protocol("TCP");
  port->set_port(endpoint.port);
  store.create(sdk::object_key(sdk::resource_type_of<discovery::EndpointSlice>(), "default", s.metadata().name()),
               s.SerializeAsString());
}

net::Ingress ingress_object(const std::string& name, const std::string& host, const std::string& service) {
  net::Ingress i;
  i.mutable_metadata()->set_namespace_("default");
  i.mutable_metadata()->set_name(name);
  i.mutable_spec()->set_ingress_class_name("skiff");
  auto* rule = i.mutable_spec()->add_rules();
  rule->set_host(host);
  auto* path = rule->mutable_http()->add_paths();
  path->set_path("/");
  path->set_path_type("Prefix");
  path->mutable_backend()->mutable_service()->set_name(service);
  path->mutable_backend()->mutable_service()->mutable_port()->set_name("http");
  return i;
}

ProxyConfig loopback_proxy() {
  ProxyConfig config;
  config.listen.push_back({"127.0.0.1", 0, false});
  config.workers = 1;
  return config;
}

class IngressControllerApi : public ::testing::Test {
 protected:
  IngressControllerApi() {
    proxy.start();
    controller.start();
  }
  ~IngressControllerApi() override {
    controller.stop();
    proxy.stop();
  }

  // The status and body of GET http://<host>/ through the proxy ("" on a connection failure).
  std::string get(const std::string& host) {
    try {
      TestClient client(proxy.bound().at(0).port);
      auto response = client.get(host, "/");
      return std::to_string(response.result_int()) + " " + response.body();
    } catch (const std::exception& e) {
      return e.what();
    }
  }
  bool answer_starts(const std::string& host, const std::string& prefix) {
    return skiff::test::wait_until([&] { return get(host).starts_with(prefix); }, 15s);
  }

  static ControllerOptions options() {
    ControllerOptions o;
    o.node = "test-node";
    o.status_addresses = {"127.0.0.1"};
    return o;
  }

  skiff::test::ApiNode node;
  sdk::ApiClient api{node.node().bus(), node.node().subjects()};
  sdk::StoreClient store{node.node().bus(), node.node().subjects()};
  spdlog::logger log{"ingress-controller-test"};  // no sinks
  ProxyServer proxy{loopback_proxy()};
  ingress::IngressController controller{node.node().bus(), node.node().subjects(), options(), proxy, log};
};

TEST_F(IngressControllerApi, IngressOfTheClassIsServedAndItsStatusNamesTheProxy) {
  TestBackend backend("web");
  ASSERT_TRUE(skiff::test::wait_until([&] { return controller.synced(); }, 15s)) << "the informers never listed";
  ASSERT_TRUE(skiff::test::wait_until(
      [&] {
        try {
          return api.get<net::IngressClass>("", "skiff").spec().controller() == kControllerName;
        } catch (const sdk::Error&) {
          return false;
        }
      },
      15s))
      << "the addon makes its IngressClass";
  EXPECT_EQ(api.get<net::IngressClass>("", "skiff").metadata().annotations().at(kDefaultClassAnnotation), "true");

  api.create(service_object("web"));
  store_slice(store, "web", backend.endpoint());
  api.create(ingress_object("shop", "shop.example.com", "web"));
  EXPECT_TRUE(answer_starts("shop.example.com", "200 web GET /")) << get("shop.example.com");
  EXPECT_TRUE(get("other.example.com").starts_with("404")) << "no rule for that host";

  EXPECT_TRUE(skiff::test::wait_until(
      [&] {
        auto status = api.get<net::Ingress>("default", "shop").status().load_balancer();
        return status.ingress_size() == 1 && status.ingress(0).ip() == "127.0.0.1";
      },
      15s))
      << api.get<net::Ingress>("default", "shop").status().DebugString();

  api.erase<net::Ingress>("default", "shop");
  EXPECT_TRUE(answer_starts("shop.example.com", "404")) << "the route goes with its Ingress";
}

TEST_F(IngressControllerApi, IngressOfAnotherClassIsLeftAlone) {
  ASSERT_TRUE(skiff::test::wait_until([&] { return controller.synced(); }, 15s));
  auto other = ingress_object("elsewhere", "other.example.com", "web");
  other.mutable_spec()->clear_ingress_class_name();
  (*other.mutable_metadata()->mutable_annotations())[kClassAnnotation] = "nginx";
  api.create(service_object("web"));
  api.create(other);
  auto served = ingress_object("served", "served.example.com", "web");
  api.create(served);
  // Once the later Ingress is served, the pass has seen the earlier one too.
  ASSERT_TRUE(answer_starts("served.example.com", "503"));
  EXPECT_TRUE(get("other.example.com").starts_with("404"));
  EXPECT_EQ(api.get<net::Ingress>("default", "elsewhere").status().load_balancer().ingress_size(), 0);
}

TEST_F(IngressControllerApi, MissingServiceIsA503AndAWarningEvent) {
  api.create(ingress_object("broken", "broken.example.com", "gone"));
  EXPECT_TRUE(answer_starts("broken.example.com", "503")) << get("broken.example.com");
  std::string message;
  EXPECT_TRUE(skiff::test::wait_until(
      [&] {
        for (const auto& event : api.list<core::Event>("default"))
          if (event.involved_object().name() == "broken" && event.reason() == "ServiceNotFound") {
            message = event.message();
            return event.type() == "Warning";
          }
        return false;
      },
      15s));
  EXPECT_NE(message.find("Service default/gone not found"), std::string::npos) << message;
}

// A node that leaves for good cannot take its address out itself: the nodes that stay do, when
// its Node is deleted; a live Node's address stays.
TEST_F(IngressControllerApi, ADeletedNodesAddressLeavesTheStatus) {
  auto add_node = [&](const std::string& name, const std::string& ip) {
    core::Node node;
    node.mutable_metadata()->set_name(name);
    auto created = api.create(node);
    auto* address = created.mutable_status()->add_addresses();
    address->set_type("InternalIP");
    address->set_address(ip);
    api.update(created, "status");
  };
  add_node("gone", "10.9.9.9");
  add_node("stays", "10.9.9.8");
  api.create(service_object("web"));
  api.create(ingress_object("shop", "shop.example.com", "web"));
  auto addresses = [&] {
    std::string listed;
    auto current = api.get<net::Ingress>("default", "shop");
    for (const auto& entry : current.status().load_balancer().ingress())
      listed += entry.ip() + " ";
    return listed;
  };
  ASSERT_TRUE(skiff::test::wait_until([&] { return addresses() == "127.0.0.1 "; }, 15s)) << addresses();
  // The other nodes' addons wrote theirs (here: the test, for them).
  auto ingress = api.get<net::Ingress>("default", "shop");
  ingress.mutable_status()->mutable_load_balancer()->add_ingress()->set_ip("10.9.9.9");
  ingress.mutable_status()->mutable_load_balancer()->add_ingress()->set_ip("10.9.9.8");
  api.update(ingress, "status");
  ASSERT_EQ(addresses(), "127.0.0.1 10.9.9.9 10.9.9.8 ");

  api.erase<core::Node>("", "gone");
  EXPECT_TRUE(skiff::test::wait_until([&] { return addresses() == "127.0.0.1 10.9.9.8 "; }, 15s)) << addresses();
}

}  // namespace
}  // namespace skiff::ingress::test
