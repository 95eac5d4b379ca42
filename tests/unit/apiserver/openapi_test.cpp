// The OpenAPI generator: Kubernetes' definition names, property types, int-or-string and
// quantities, maps, strategic-merge keys, the gnostic protobuf read back with our .proto, the v3
// group documents, and the hook that adds a custom resource's schema.
#include <gtest/gtest.h>

#include <iostream>

#include <boost/json.hpp>

#include "openapi_documents.hpp"
#include "openapi_model.hpp"
#include "openapi_service.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/openapi/v2/gnostic.pb.h"

namespace {

using namespace skiff;
using namespace skiff::apiserver;
namespace json = boost::json;

std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

const std::string kCore = "io.k8s.api.core.v1.";
const std::string kMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.";

class OpenApiModelTest : public ::testing::Test {
 protected:
  static const OpenApiModel& model() {
    static const OpenApiModel built = builtin_openapi_model();
    return built;
  }
  static const json::object& definition(const std::string& name) {
    const auto* found = model().definitions.if_contains(name);
    if (!found) throw std::runtime_error("no definition " + name);
    return found->as_object();
  }
  static const json::object& property(const std::string& name, const std::string& field) {
    return definition(name).at("properties").at(field).as_object();
  }
};

TEST_F(OpenApiModelTest, NamesDefinitionsAsKubernetesDoes) {
  EXPECT_EQ(definition_name(api::apps::v1::Deployment::descriptor()), "io.k8s.api.apps.v1.Deployment");
  EXPECT_EQ(definition_name(api::meta::v1::ObjectMeta::descriptor()), kMeta + "ObjectMeta");
  for (const char* name : {"io.k8s.api.apps.v1.Deployment", "io.k8s.api.core.v1.Pod", "io.k8s.api.core.v1.PodList",
                           "io.k8s.api.networking.v1.Ingress", "io.k8s.api.batch.v1.CronJob",
                           "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
                           "io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler",
                           "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
                           "io.k8s.apimachinery.pkg.api.resource.Quantity", "io.k8s.apimachinery.pkg.apis.meta.v1.Time"})
    EXPECT_TRUE(model().definitions.contains(name)) << name;
}

TEST_F(OpenApiModelTest, KindsCarryTheirGroupVersionKindAndTypeFields) {
  const json::object& deployment = definition("io.k8s.api.apps.v1.Deployment");
  EXPECT_EQ(json::serialize(deployment.at("x-kubernetes-group-version-kind")),
            R"([{"group":"apps","kind":"Deployment","version":"v1"}])");
  EXPECT_EQ(json::serialize(definition(kCore + "Service").at("x-kubernetes-group-version-kind")),
            R"([{"group":"","kind":"Service","version":"v1"}])");
  EXPECT_EQ(deployment.at("properties").at("apiVersion").at("type"), "string");
  EXPECT_EQ(deployment.at("properties").at("kind").at("type"), "string");
  EXPECT_EQ(str(deployment.at("properties").at("metadata").at("$ref")), "#/definitions/" + kMeta + "ObjectMeta");
  EXPECT_EQ(str(deployment.at("properties").at("spec").at("$ref")), "#/definitions/io.k8s.api.apps.v1.DeploymentSpec");
  EXPECT_FALSE(deployment.at("properties").at("status").at("description").as_string().empty());
  bool listed = false;
  for (const auto& kind : model().kinds) listed = listed || (kind.kind == "Deployment" && kind.plural == "deployments");
  EXPECT_TRUE(listed);
}

TEST_F(OpenApiModelTest, PropertyTypesFollowTheJsonCodec) {
  EXPECT_EQ(json::serialize(property("io.k8s.api.apps.v1.DeploymentSpec", "replicas").at("format")), R"("int32")");
  EXPECT_EQ(property("io.k8s.api.apps.v1.DeploymentSpec", "replicas").at("type"), "integer");
  EXPECT_EQ(property(kMeta + "ObjectMeta", "generation").at("format"), "int64");
  EXPECT_EQ(property(kCore + "Container", "stdin").at("type"), "boolean");
  EXPECT_EQ(property(kCore + "ContainerPort", "hostIP").at("type"), "string");  // json_name, as k8s_json writes it
  const json::object& labels = property(kMeta + "ObjectMeta", "labels");
  EXPECT_EQ(labels.at("type"), "object");
  EXPECT_EQ(labels.at("additionalProperties").at("type"), "string");
  const json::object& command = property(kCore + "Container", "command");
  EXPECT_EQ(command.at("type"), "array");
  EXPECT_EQ(command.at("items").at("type"), "string");
  EXPECT_EQ(str(property(kMeta + "ObjectMeta", "creationTimestamp").at("$ref")), "#/definitions/" + kMeta + "Time");
  EXPECT_EQ(property(kCore + "Secret", "data").at("additionalProperties").at("format"), "byte");
}

TEST_F(OpenApiModelTest, IntOrStringAndQuantityAreDeclaredAsKubernetesDeclaresThem) {
  EXPECT_EQ(json::serialize(definition("io.k8s.apimachinery.pkg.util.intstr.IntOrString").at("format")),
            R"("int-or-string")");
  EXPECT_EQ(definition("io.k8s.apimachinery.pkg.util.intstr.IntOrString").at("type"), "string");
  EXPECT_EQ(definition("io.k8s.apimachinery.pkg.api.resource.Quantity").at("type"), "string");
  EXPECT_EQ(str(property("io.k8s.api.apps.v1.RollingUpdateDeployment", "maxSurge").at("$ref")),
            "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString");
  const json::object& limits = property(kCore + "ResourceRequirements", "limits");
  EXPECT_EQ(limits.at("type"), "object");
  EXPECT_EQ(str(limits.at("additionalProperties").at("$ref")), "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity");
}

TEST_F(OpenApiModelTest, ListsCarryTheStrategicMergeKeysTheServerUses) {
  auto merge_key = [&](const std::string& def, const std::string& field) {
    const json::object& p = property(def, field);
    EXPECT_EQ(p.at("x-kubernetes-patch-strategy"), "merge") << def << "." << field;
    return std::string(p.at("x-kubernetes-patch-merge-key").as_string());
  };
  EXPECT_EQ(merge_key(kCore + "PodSpec", "containers"), "name");
  EXPECT_EQ(merge_key(kCore + "PodSpec", "volumes"), "name");
  EXPECT_EQ(merge_key(kCore + "Container", "ports"), "containerPort");
  EXPECT_EQ(merge_key(kCore + "Container", "env"), "name");
  EXPECT_EQ(merge_key(kCore + "ServiceSpec", "ports"), "port");
  EXPECT_EQ(property(kMeta + "ObjectMeta", "finalizers").at("x-kubernetes-patch-strategy"), "merge");
  EXPECT_EQ(property(kMeta + "ObjectMeta", "finalizers").at("x-kubernetes-list-type"), "set");
  EXPECT_EQ(json::serialize(property(kCore + "Container", "ports").at("x-kubernetes-list-map-keys")),
            R"(["containerPort","protocol"])");
  EXPECT_FALSE(property(kCore + "PodSpec", "tolerations").contains("x-kubernetes-patch-merge-key"));
  EXPECT_EQ(json::serialize(definition(kCore + "PodSpec").at("required")), R"(["containers"])");
}

TEST_F(OpenApiModelTest, DescriptionsAreGeneratedBecauseProtocDropsTheComments) {
  // protoc's C++ output embeds descriptors without source info: no .proto comments at run time.
  google::protobuf::SourceLocation location;
  EXPECT_FALSE(api::apps::v1::DeploymentSpec::descriptor()->GetSourceLocation(&location));
  EXPECT_EQ(property("io.k8s.api.apps.v1.DeploymentSpec", "minReadySeconds").at("description"), "Min ready seconds.");
  EXPECT_EQ(property(kCore + "ContainerPort", "hostIP").at("description"), "Host IP.");
  EXPECT_EQ(definition("io.k8s.api.apps.v1.DeploymentSpec").at("description"), "Deployment spec.");
  EXPECT_EQ(definition("io.k8s.api.apps.v1.Deployment").at("description"),
            "Deployment (apps/v1), served at /apis/apps/v1/namespaces/{namespace}/deployments.");
}

TEST(OpenApiDocuments, TheProtobufDocumentParsesBackWithOurProto) {
  OpenApiModel model = builtin_openapi_model();
  json::object v2 = openapi_v2_document(model, "v1.33.0");
  openapi::v2::Document doc;
  ASSERT_TRUE(doc.ParseFromString(openapi_v2_protobuf(v2)));
  EXPECT_EQ(doc.swagger(), "2.0");
  EXPECT_EQ(doc.info().version(), "v1.33.0");
  EXPECT_EQ(static_cast<std::size_t>(doc.definitions().additional_properties_size()), model.definitions.size());
  const openapi::v2::Schema* deployment = nullptr;
  for (const auto& named : doc.definitions().additional_properties())
    if (named.name() == "io.k8s.api.apps.v1.Deployment") deployment = &named.value();
  ASSERT_NE(deployment, nullptr);
  ASSERT_EQ(deployment->vendor_extension_size(), 1);
  EXPECT_EQ(deployment->vendor_extension(0).name(), "x-kubernetes-group-version-kind");
  EXPECT_EQ(json::parse(deployment->vendor_extension(0).value().yaml()),
            json::parse(R"([{"group":"apps","kind":"Deployment","version":"v1"}])"));
  EXPECT_EQ(deployment->type().value(0), "object");
  bool spec = false;
  for (const auto& p : deployment->properties().additional_properties())
    spec = spec || (p.name() == "spec" && p.value()._ref() == "#/definitions/io.k8s.api.apps.v1.DeploymentSpec");
  EXPECT_TRUE(spec);
  EXPECT_GT(doc.paths().path_size(), 0);
}

TEST(OpenApiDocuments, V3GroupDocumentsHoldTheirKindsAndWhatTheyReach) {
  OpenApiModel model = builtin_openapi_model();
  auto groups = openapi_v3_group_versions(model);
  EXPECT_NE(std::find(groups.begin(), groups.end(), "api/v1"), groups.end());
  EXPECT_NE(std::find(groups.begin(), groups.end(), "apis/apps/v1"), groups.end());
  EXPECT_NE(std::find(groups.begin(), groups.end(), "apis/autoscaling/v1"), groups.end());
  json::object apps = openapi_v3_document(model, "apis/apps/v1", "v1.33.0");
  const json::object& schemas = apps.at("components").at("schemas").as_object();
  ASSERT_TRUE(schemas.contains("io.k8s.api.apps.v1.Deployment"));
  EXPECT_TRUE(schemas.contains(kMeta + "ObjectMeta"));
  EXPECT_TRUE(schemas.contains(kCore + "Container"));  // through the pod template
  EXPECT_FALSE(schemas.contains(kCore + "Service"));
  EXPECT_EQ(json::serialize(schemas.at("io.k8s.api.apps.v1.Deployment").at("properties").at("spec").at("allOf")),
            R"([{"$ref":"#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}])");
  const json::object& patch =
      apps.at("paths").at("/apis/apps/v1/namespaces/{namespace}/deployments/{name}").at("patch").as_object();
  EXPECT_EQ(json::serialize(patch.at("x-kubernetes-group-version-kind")),
            R"({"group":"apps","kind":"Deployment","version":"v1"})");
  bool field_validation = false;
  for (const auto& p : patch.at("parameters").as_array()) field_validation = field_validation || p.at("name") == "fieldValidation";
  EXPECT_TRUE(field_validation);
  EXPECT_FALSE(patch.at("requestBody").at("content").as_object().contains("application/strategic-merge-patch+json"));
}

TEST(OpenApiDocuments, ExtraSchemasJoinBothDocuments) {
  OpenApiModel model = builtin_openapi_model();
  OpenApiModel crd;
  crd.kinds.push_back({"example.com", "v1", "Widget", "widgets", true, "com.example.v1.Widget"});
  crd.definitions["com.example.v1.Widget"] = {
      {"type", "object"},
      {"properties", {{"spec", {{"type", "object"}, {"properties", {{"size", {{"type", "integer"}}}}}}}}},
      {"x-kubernetes-group-version-kind", json::array{{{"group", "example.com"}, {"kind", "Widget"}, {"version", "v1"}}}}};
  merge_openapi_models(model, crd);
  auto docs = build_openapi_documents(model, "v1.33.0");
  EXPECT_NE(docs->v2_json.bytes.find("com.example.v1.Widget"), std::string::npos);
  ASSERT_TRUE(docs->v3.contains("apis/example.com/v1"));
  EXPECT_NE(docs->v3.at("apis/example.com/v1").bytes.find("\"com.example.v1.Widget\""), std::string::npos);
  EXPECT_NE(docs->v3_index.bytes.find("/openapi/v3/apis/example.com/v1?hash=" + docs->v3.at("apis/example.com/v1").etag),
            std::string::npos);
}

TEST(OpenApiDocuments, SizeAndBuildTimeAreWrittenDown) {
  OpenApiService service("v1.33.0");
  auto m = service.measurements();
  std::cout << "openapi: " << m.definitions << " definitions, v2 " << m.v2_json_bytes << " bytes JSON, "
            << m.v2_protobuf_bytes << " bytes protobuf, built in " << m.build_time.count() / 1000.0 << " ms\n";
  EXPECT_GT(m.v2_json_bytes, m.v2_protobuf_bytes);
  EXPECT_GT(m.definitions, 100u);
}

}  // namespace
