// The Kubernetes JSON layer, on manifests as the Kubernetes documentation writes them.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"
#include "skiff/sdk/k8s_json.hpp"
#include "skiff/sdk/resources.hpp"
#include "skiff/sdk/status.hpp"

namespace {

using namespace skiff;
namespace json = boost::json;

std::string read(const std::string& name) {
  std::ifstream file(std::string(SKIFF_TEST_DATA_DIR) + "/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

class ManifestRoundTrip : public ::testing::TestWithParam<std::string> {};

// Kubernetes JSON → Protobuf → Kubernetes JSON gives back exactly what the manifest said.
TEST_P(ManifestRoundTrip, IsLossless) {
  json::value original = sdk::yaml_to_json(read(GetParam()));
  const auto& object = original.as_object();
  std::string api_version(object.at("apiVersion").as_string());
  std::string group = api_version.find('/') == std::string::npos ? "" : api_version.substr(0, api_version.find('/'));
  const sdk::ResourceType* type = sdk::find_resource_by_kind(group, std::string(object.at("kind").as_string()));
  ASSERT_NE(type, nullptr);
  auto message = type->new_object();
  std::vector<std::string> unknown;
  json::object body = object;
  body.erase("apiVersion");
  body.erase("kind");
  sdk::from_k8s_json(body, *message, &unknown);
  EXPECT_TRUE(unknown.empty()) << unknown.front();
  json::value back = sdk::to_k8s_object(*message, *type);
  EXPECT_EQ(back, original) << "\nin:  " << json::serialize(original) << "\nout: " << json::serialize(back);
}

INSTANTIATE_TEST_SUITE_P(KubernetesDocs, ManifestRoundTrip,
                         ::testing::Values("deployment.yaml", "service.yaml", "ingress.yaml", "pod-probes.yaml"));

TEST(K8sJson, IntOrStringKeepsItsType) {
  api::core::v1::Service service;
  sdk::from_k8s_json(sdk::yaml_to_json(read("service.yaml")), service);
  EXPECT_EQ(service.spec().ports(0).target_port().type(), 0);
  EXPECT_EQ(service.spec().ports(0).target_port().int_val(), 9376);
  EXPECT_EQ(service.spec().ports(1).target_port().type(), 1);
  EXPECT_EQ(service.spec().ports(1).target_port().str_val(), "https-port");

  api::apps::v1::Deployment deployment;
  sdk::from_k8s_json(sdk::yaml_to_json(read("deployment.yaml")), deployment);
  EXPECT_EQ(deployment.spec().strategy().rolling_update().max_surge().str_val(), "25%");
  EXPECT_EQ(deployment.spec().strategy().rolling_update().max_unavailable().int_val(), 1);
  EXPECT_EQ(deployment.spec().replicas(), 3);
  EXPECT_EQ(deployment.spec().template_().spec().termination_grace_period_seconds(), 30);
}

TEST(K8sJson, Int64IsANumberNotAString) {
  api::core::v1::Pod pod;
  pod.mutable_spec()->set_termination_grace_period_seconds(30);
  pod.mutable_metadata()->set_generation(7);
  json::value out = sdk::to_k8s_json(pod);
  EXPECT_EQ(out.at("spec").at("terminationGracePeriodSeconds"), json::value(30));
  EXPECT_EQ(out.at("metadata").at("generation"), json::value(7));
  // Input takes numbers, and the proto3 spelling as strings too.
  sdk::from_k8s_json(json::parse(R"({"spec":{"activeDeadlineSeconds":"60"}})"), pod);
  EXPECT_EQ(pod.spec().active_deadline_seconds(), 60);
}

TEST(K8sJson, QuantitiesAcceptNumbers) {
  api::core::v1::Container container;
  sdk::from_k8s_json(json::parse(R"({"resources":{"requests":{"cpu":1,"memory":"64Mi"},"limits":{"cpu":0.5}}})"),
                     container);
  EXPECT_EQ(container.resources().requests().at("cpu"), "1");
  EXPECT_EQ(container.resources().limits().at("cpu"), "0.5");
  // Elsewhere a number is not a string, as in Kubernetes.
  api::core::v1::Pod pod;
  EXPECT_THROW(sdk::from_k8s_json(json::parse(R"({"metadata":{"labels":{"a":1}}})"), pod), sdk::Error);
}

TEST(K8sJson, OptionalZeroIsKeptAndPlainZeroIsOmitted) {
  api::apps::v1::Deployment deployment;
  deployment.mutable_spec()->set_replicas(0);
  deployment.mutable_spec()->set_min_ready_seconds(0);
  json::value out = sdk::to_k8s_json(deployment);
  EXPECT_EQ(out.at("spec").at("replicas"), json::value(0));
  EXPECT_FALSE(out.at("spec").as_object().contains("minReadySeconds"));
}

TEST(K8sJson, RequiredFieldsAreEmittedEvenWhenZero) {
  api::core::v1::ContainerStatus status;
  status.set_name("web");
  json::value out = sdk::to_k8s_json(status);
  EXPECT_EQ(out.at("ready"), json::value(false));
  EXPECT_EQ(out.at("restartCount"), json::value(0));
  EXPECT_TRUE(out.as_object().contains("imageID"));
}

TEST(K8sJson, KubernetesFieldNames) {
  api::core::v1::Pod pod;
  pod.mutable_status()->set_pod_ip("10.0.0.5");
  pod.mutable_spec()->set_host_pid(true);
  json::value out = sdk::to_k8s_json(pod);
  EXPECT_EQ(out.at("status").at("podIP"), json::value("10.0.0.5"));
  EXPECT_EQ(out.at("spec").at("hostPID"), json::value(true));
}

TEST(K8sJson, AnEndpointSliceAsKubernetesWritesIt) {
  api::discovery::v1::EndpointSlice slice;
  slice.set_address_type("IPv4");
  EXPECT_EQ(sdk::to_k8s_json(slice), json::parse(R"({"addressType":"IPv4","endpoints":[]})"))
      << "no endpoints is an empty list, not a missing field";
  auto* e = slice.add_endpoints();
  e->add_addresses("10.0.0.1");
  e->mutable_conditions()->set_ready(false);
  e->mutable_conditions()->set_terminating(true);
  e->set_node_name("node-a");
  e->mutable_target_ref()->set_kind("Pod");
  auto* port = slice.add_ports();
  port->set_name("");
  port->set_port(8080);
  EXPECT_EQ(sdk::to_k8s_json(slice), json::parse(R"({"addressType":"IPv4",
    "endpoints":[{"addresses":["10.0.0.1"],"conditions":{"ready":false,"terminating":true},"nodeName":"node-a",
                  "targetRef":{"kind":"Pod"}}],
    "ports":[{"name":"","port":8080}]})")) << "pointers set to false or \"\" are written, unset ones are not";
}

TEST(K8sJson, UnknownFieldsAreReportedWithTheirPath) {
  api::core::v1::Pod pod;
  std::vector<std::string> unknown;
  sdk::from_k8s_json(json::parse(R"({"spec":{"containers":[{"name":"a","imagee":"x"}]},"extra":1})"), pod, &unknown);
  ASSERT_EQ(unknown.size(), 2u);
  EXPECT_EQ(unknown[0], "spec.containers[0].imagee");
  EXPECT_EQ(unknown[1], "extra");
  EXPECT_EQ(pod.spec().containers(0).name(), "a");
}

TEST(K8sJson, TypeErrorsNameThePath) {
  api::apps::v1::Deployment deployment;
  try {
    sdk::from_k8s_json(json::parse(R"({"spec":{"replicas":"three"}})"), deployment);
    FAIL();
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 400);
    EXPECT_EQ(std::string(e.what()), "spec.replicas: expected an integer (int32), got a string");
  }
  EXPECT_THROW(sdk::from_k8s_json(json::parse(R"({"spec":{"replicas":2.5}})"), deployment), sdk::Error);
  EXPECT_THROW(sdk::from_k8s_json(json::parse(R"({"spec":{"paused":"yes"}})"), deployment), sdk::Error);
  EXPECT_THROW(sdk::from_k8s_json(json::parse(R"({"spec":{"replicas":3000000000}})"), deployment), sdk::Error);
}

TEST(K8sJson, SecretDataIsBase64) {
  const sdk::ResourceType* type = sdk::find_resource_by_kind("", "Secret");
  auto secret = type->new_object();
  sdk::from_k8s_json(json::parse(R"({"data":{"password":"czNjcjN0"}})"), *secret);
  json::value out = sdk::to_k8s_json(*secret);
  EXPECT_EQ(out.at("data").at("password"), json::value("czNjcjN0"));
  EXPECT_THROW(sdk::from_k8s_json(json::parse(R"({"data":{"p":"%%%"}})"), *secret), sdk::Error);
}

TEST(K8sJson, YamlQuotedScalarsStayStrings) {
  json::value v = sdk::yaml_to_json("a: \"8080\"\nb: 8080\nc: true\nd: 'yes'\ne: ~\nf: 1.5\n");
  EXPECT_TRUE(v.at("a").is_string());
  EXPECT_EQ(v.at("b"), json::value(8080));
  EXPECT_EQ(v.at("c"), json::value(true));
  EXPECT_TRUE(v.at("d").is_string());
  EXPECT_TRUE(v.at("e").is_null());
  EXPECT_EQ(v.at("f"), json::value(1.5));
}

TEST(Resources, RegistryKnowsEveryType) {
  const auto* pod = sdk::find_resource_by_plural("", "pods");
  ASSERT_NE(pod, nullptr);
  EXPECT_EQ(pod->kind, "Pod");
  EXPECT_EQ(pod->api_version(), "v1");
  EXPECT_EQ(pod->resource(), "pods");
  EXPECT_EQ(&sdk::resource_type_of<api::core::v1::Pod>(), pod);
  const auto* ingress = sdk::find_resource_by_kind("networking.k8s.io", "Ingress");
  ASSERT_NE(ingress, nullptr);
  EXPECT_EQ(ingress->resource(), "ingresses.networking.k8s.io");
  EXPECT_FALSE(sdk::find_resource_by_kind("", "Node")->namespaced);
  for (const auto& type : sdk::resource_types()) {
    // The store reads metadata without knowing the type: it must be field 1 everywhere.
    ASSERT_EQ(type.descriptor->field(0)->name(), "metadata") << type.kind;
    EXPECT_EQ(type.descriptor->field(0)->number(), 1) << type.kind;
  }
}

}  // namespace
