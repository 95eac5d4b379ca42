// The ingress plugin as skiffd loads it (next to store-lmdb and the apiserver): its config, the
// proxy on the configured ports, its metrics on the bus and its access log.
#include <gtest/gtest.h>

#include "api_node.hpp"
#include "skiff/api/networking/v1/networking.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/testing/process.hpp"
#include "test_client.hpp"
#include "wait.hpp"

namespace skiff::ingress::test {
namespace {

using namespace std::chrono_literals;
namespace net = api::networking::v1;

std::string ingress_plugin(int http_port, int https_port) {
  return "  - name: ingress\n    config: {listen: [127.0.0.1], http_port: " + std::to_string(http_port) +
         ", https_port: " + std::to_string(https_port) + ", workers: 1}\n";
}

// GET http://127.0.0.1:<port>/ with `host`: the status, or 0 when the proxy does not answer.
unsigned status_of(std::uint16_t port, const std::string& host) {
  try {
    TestClient client(port);
    return client.get(host, "/").result_int();
  } catch (const std::exception&) {
    return 0;
  }
}

TEST(IngressPlugin, ServesOnItsPortsCountsRequestsAndLogsThem) {
  int http_port = skiff::test::free_port(), https_port = skiff::test::free_port();
  skiff::test::ApiNode node("", ingress_plugin(http_port, https_port));
  sdk::ApiClient api{node.node().bus(), node.node().subjects()};
  auto port = static_cast<std::uint16_t>(http_port);
  ASSERT_TRUE(skiff::test::wait_until([&] { return status_of(port, "nothing.example.com") == 404; }, 15s))
      << node.node().output();

  net::Ingress ingress;
  ingress.mutable_metadata()->set_namespace_("default");
  ingress.mutable_metadata()->set_name("shop");
  ingress.mutable_spec()->set_ingress_class_name("skiff");
  auto* backend = ingress.mutable_spec()->mutable_default_backend()->mutable_service();
  backend->set_name("absent");
  backend->mutable_port()->set_number(80);
  api.create(ingress);
  EXPECT_TRUE(skiff::test::wait_until([&] { return status_of(port, "shop.example.com") == 503; }, 15s))
      << "the default backend's Service does not exist";

  sdk::Reply metrics = node.node().bus().request(node.node().subjects().plugin_metrics("ingress"), "", 5s);
  ASSERT_TRUE(metrics.ok()) << metrics.status.message;
  EXPECT_NE(metrics.data.find(R"(skiff_ingress_requests_total{namespace="default",ingress="shop",status="503"})"),
            std::string::npos)
      << metrics.data;
  EXPECT_NE(metrics.data.find(R"(skiff_ingress_requests_total{namespace="",ingress="",status="404"})"), std::string::npos)
      << metrics.data;
  EXPECT_TRUE(skiff::test::wait_until([&] { return node.node().output().find("shop.example.com") != std::string::npos; }, 5s))
      << "the access log line names the host";
}

}  // namespace
}  // namespace skiff::ingress::test
