// EndpointSlices as the real kubectl shows them (1.20, 1.27, the machine's): api-resources,
// the server's table for `get endpointslices`, -o yaml, a label selector, and the slices gone
// with their Service — on a node with the scheduler and the controller-manager, pods "run" by
// the fake kubelet.
#include <gtest/gtest.h>

#include <regex>

#include "api_node.hpp"
#include "fake_kubelet.hpp"
#include "kubectl_versions.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

const char* kControlPlane =
    "  - name: scheduler-default\n    config: {leader_elect: false}\n"
    "  - name: controller-manager\n    config: {leader_elect: false}\n";

// Five pods behind a Service of two ports, one of them a named targetPort.
const char* kShop = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 5
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
      - name: shop
        image: registry.local/shop:1
        ports:
        - {name: http, containerPort: 8080}
        resources:
          requests: {cpu: 100m}
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector: {app: shop}
  ports:
  - {name: web, port: 80, targetPort: http}
  - {name: admin, port: 9000, targetPort: 9443}
)";

class KubectlEndpointSlices : public ::testing::TestWithParam<test::Kubectl> {
 protected:
  void SetUp() override {
    SKIFF_REQUIRE_KUBECTL(GetParam());
    node = std::make_unique<test::ApiNode>("", kControlPlane);
    kubelet = std::make_unique<test::FakeKubelet>(node->node().bus(), node->node().subjects(),
                                                  std::vector<std::string>{"node-1", "node-2"});
  }
  void TearDown() override {
    if (HasFailure() && node) std::fprintf(stderr, "skiffd output:\n%s\n", node->node().output().c_str());
    kubelet.reset();
  }
  std::string ok(std::vector<std::string> args, const std::string& stdin_text = "") {
    auto r = node->kubectl(GetParam().binary, args, stdin_text, 90s);
    EXPECT_EQ(r.exit_code, 0) << "kubectl " << args[0] << " " << (args.size() > 1 ? args[1] : "") << ": " << r.both();
    return r.out;
  }

  std::unique_ptr<test::ApiNode> node;
  std::unique_ptr<test::FakeKubelet> kubelet;
};

TEST_P(KubectlEndpointSlices, GetTableYamlAndGoneWithTheService) {
  std::string resources = ok({"api-resources", "--api-group=discovery.k8s.io"});
  EXPECT_TRUE(std::regex_search(resources, std::regex(R"(endpointslices\s+discovery.k8s.io/v1\s+true\s+EndpointSlice)")))
      << resources;

  ok({"apply", "-f", "-"}, kShop);
  std::string table;
  // Five ready endpoints: three shown, then the count.
  ASSERT_TRUE(test::wait_until([&] {
    table = ok({"get", "endpointslices"});
    return table.find("+ 2 more...") != std::string::npos;
  }, 30s)) << table;
  EXPECT_TRUE(std::regex_search(table, std::regex(R"(^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\n)"))) << table;
  const std::string ip = R"(10\.244\.[0-9.]+)";
  EXPECT_TRUE(std::regex_search(table, std::regex(R"(\nshop-[a-z0-9]{5}\s+IPv4\s+8080,9443\s+)" + ip + "," + ip + "," + ip +
                                                  R"( \+ 2 more\.\.\.\s+\d+s\n)")))
      << table;

  std::string yaml = ok({"get", "endpointslices", "-l", "kubernetes.io/service-name=shop", "-o", "yaml"});
  for (const char* line : {"apiVersion: discovery.k8s.io/v1", "kind: EndpointSlice", "addressType: IPv4",
                           "endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io",
                           "kubernetes.io/service-name: shop", "generateName: shop-", "ready: true", "serving: true",
                           "terminating: false", "kind: Pod", "name: web", "port: 8080", "protocol: TCP", "name: admin",
                           "port: 9443", "kind: Service", "controller: true"})
    EXPECT_NE(yaml.find(line), std::string::npos) << line << "\n" << yaml;
  EXPECT_TRUE(std::regex_search(yaml, std::regex(R"(nodeName: node-[12])"))) << yaml;

  ok({"delete", "service", "shop"});
  // What stays is the apiserver's own (the kubernetes Service's).
  ASSERT_TRUE(test::wait_until([&] {
    return ok({"get", "endpointslices", "-o", "name"}) == "endpointslice.discovery.k8s.io/kubernetes\n";
  }, 30s)) << ok({"get", "endpointslices", "-o", "name"});
}

INSTANTIATE_TEST_SUITE_P(Clients, KubectlEndpointSlices, test::all_kubectls(), test::kubectl_name);

}  // namespace
