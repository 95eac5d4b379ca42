// Request bodies to objects: media types, apiVersion/kind checks, unknown fields by
// fieldValidation, patch types, and the Scale subresource.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "object_codec.hpp"
#include "skiff/api/apps/v1/apps.pb.h"

namespace {

using namespace skiff;
namespace json = boost::json;
namespace apps = api::apps::v1;

const sdk::ResourceType& deployments() { return *sdk::find_resource("deployments.apps"); }

template <class F>
sdk::Status refusal(F&& call) {
  try {
    call();
  } catch (const apiserver::ApiError& e) {
    return e.status();
  }
  return sdk::Status{};
}

TEST(ObjectCodec, BodiesAreJsonOrYaml) {
  EXPECT_EQ(apiserver::parse_body(R"({"a":1})", "application/json"), json::parse(R"({"a":1})"));
  EXPECT_EQ(apiserver::parse_body("a: 1\nb: [x]\n", "application/yaml"), json::parse(R"({"a":1,"b":["x"]})"));
  EXPECT_EQ(apiserver::parse_body("a: 1\n", "application/json"), json::parse(R"({"a":1})")) << "YAML sent as JSON";
  EXPECT_EQ(refusal([] { apiserver::parse_body("{oops", "application/json"); }).code, 400);
  auto cbor = refusal([] { apiserver::parse_body("\xa1", "application/cbor"); });
  EXPECT_EQ(cbor.code, 415);
  EXPECT_EQ(cbor.reason, "UnsupportedMediaType");
}

TEST(ObjectCodec, ApiVersionAndKindMustBeTheResources) {
  std::vector<std::string> warnings;
  auto wrong_version = refusal([&] {
    apiserver::decode_object(deployments(), json::parse(R"({"apiVersion":"apps/v1beta1","kind":"Deployment"})"), "", warnings);
  });
  EXPECT_EQ(wrong_version.code, 400);
  EXPECT_EQ(wrong_version.message,
            "the API version in the data (apps/v1beta1) does not match the expected API version (apps/v1)");
  EXPECT_EQ(refusal([&] {
              apiserver::decode_object(deployments(), json::parse(R"({"apiVersion":"apps/v1","kind":"Pod"})"), "", warnings);
            }).message,
            "the kind in the data (Pod) does not match the expected kind (Deployment)");
  EXPECT_EQ(refusal([&] { apiserver::decode_object(deployments(), json::parse("[1]"), "", warnings); }).message,
            "Deployment in version \"v1\" cannot be handled as a Deployment: the request body must be a JSON object");
}

TEST(ObjectCodec, UnknownFieldsByFieldValidation) {
  auto body = json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
                              "spec":{"replicas":2,"replica":3}})");
  std::vector<std::string> warnings;
  auto d = apiserver::decode_object(deployments(), body, "Warn", warnings);
  EXPECT_EQ(static_cast<const apps::Deployment&>(*d).spec().replicas(), 2);
  EXPECT_EQ(warnings, std::vector<std::string>{"unknown field \"spec.replica\""});
  warnings.clear();
  apiserver::decode_object(deployments(), body, "Ignore", warnings);
  EXPECT_TRUE(warnings.empty());
  auto strict = refusal([&] { apiserver::decode_object(deployments(), body, "Strict", warnings); });
  EXPECT_EQ(strict.code, 400);
  EXPECT_EQ(strict.message, "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: "
                            "unknown field \"spec.replica\"");
}

TEST(ObjectCodec, PatchTypesFromContentTypes) {
  using apiserver::PatchType;
  EXPECT_EQ(apiserver::patch_type_of("application/merge-patch+json"), PatchType::Merge);
  EXPECT_EQ(apiserver::patch_type_of("application/json-patch+json; charset=utf-8"), PatchType::Json);
  EXPECT_EQ(apiserver::patch_type_of("application/strategic-merge-patch+json"), PatchType::Strategic);
  EXPECT_EQ(apiserver::patch_type_of("application/apply-patch+yaml"), PatchType::Apply);
  EXPECT_EQ(refusal([] { apiserver::patch_type_of("application/json"); }).code, 415);
}

apps::Deployment web() {
  apps::Deployment d;
  d.mutable_metadata()->set_name("web");
  d.mutable_metadata()->set_namespace_("default");
  d.mutable_spec()->set_replicas(2);
  (*d.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "web";
  auto* c = d.mutable_spec()->mutable_template_()->mutable_spec()->add_containers();
  c->set_name("web");
  c->set_image("nginx:1");
  d.mutable_status()->set_replicas(1);
  return d;
}

TEST(ObjectCodec, PatchObjectAppliesEachTypeAndDecodes) {
  std::vector<std::string> warnings;
  auto strategic = apiserver::patch_object(
      deployments(), web(), apiserver::PatchType::Strategic,
      json::parse(R"({"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}})"), "", warnings);
  EXPECT_EQ(static_cast<const apps::Deployment&>(*strategic).spec().template_().spec().containers(0).image(), "nginx:2");
  auto merge = apiserver::patch_object(deployments(), web(), apiserver::PatchType::Merge,
                                       json::parse(R"({"spec":{"replicas":5}})"), "", warnings);
  EXPECT_EQ(static_cast<const apps::Deployment&>(*merge).spec().replicas(), 5);
  auto json_patch = apiserver::patch_object(deployments(), web(), apiserver::PatchType::Json,
                                            json::parse(R"([{"op":"replace","path":"/spec/replicas","value":0}])"), "",
                                            warnings);
  EXPECT_EQ(static_cast<const apps::Deployment&>(*json_patch).spec().replicas(), 0);
}

TEST(ObjectCodec, ScaleSubresource) {
  auto scale = apiserver::scale_of(deployments(), web());
  EXPECT_EQ(scale.at("kind"), "Scale");
  EXPECT_EQ(scale.at("apiVersion"), "autoscaling/v1");
  EXPECT_EQ(scale.at("spec"), json::parse(R"({"replicas":2})"));
  EXPECT_EQ(scale.at("status"), json::parse(R"({"replicas":1,"selector":"app=web"})"));
  EXPECT_EQ(apiserver::replicas_from_scale(json::parse(R"({"spec":{"replicas":4}})")), 4);
  EXPECT_EQ(refusal([] { apiserver::replicas_from_scale(json::parse(R"({"spec":{}})")); }).code, 400);
  auto negative = refusal([] { apiserver::replicas_from_scale(json::parse(R"({"spec":{"replicas":-1}})")); });
  EXPECT_EQ(negative.code, 422);
  auto d = web();
  apiserver::set_replicas(d, 7);
  EXPECT_EQ(d.spec().replicas(), 7);
}

}  // namespace
