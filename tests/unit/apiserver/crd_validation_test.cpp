// CustomResourceDefinition validation and defaults, in Kubernetes' words.
#include <gtest/gtest.h>

#include "api_error.hpp"
#include "crd_validation.hpp"
#include "skiff/sdk/k8s_json.hpp"
#include "skiff/sdk/resources.hpp"

namespace {

using namespace skiff;
namespace ext = api::apiextensions::v1;

ext::CustomResourceDefinition crd_from(const char* yaml) {
  ext::CustomResourceDefinition crd;
  sdk::from_k8s_json(sdk::yaml_to_json(yaml), crd);
  apiserver::default_custom_resource_definition(crd);
  return crd;
}

const char* kGood = R"(
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {replicas: {type: integer}}}
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    additionalPrinterColumns:
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
)";

std::vector<std::string> causes(const ext::CustomResourceDefinition& crd, const ext::CustomResourceDefinition* old = nullptr) {
  apiserver::FieldErrors errors;
  apiserver::check_custom_resource_definition(errors, crd, old);
  std::vector<std::string> out;
  try {
    errors.throw_if_any(*sdk::find_resource("customresourcedefinitions.apiextensions.k8s.io"), crd.metadata().name());
  } catch (const apiserver::ApiError& e) {
    for (const auto& c : e.details().causes()) out.push_back(c.field() + ": " + c.message());
  }
  return out;
}

bool has(const std::vector<std::string>& all, const std::string& one) {
  return std::find(all.begin(), all.end(), one) != all.end();
}

TEST(CrdValidation, AWellFormedCrdPassesAndGetsItsDefaults) {
  auto crd = crd_from(kGood);
  EXPECT_TRUE(causes(crd).empty()) << causes(crd).front();
  EXPECT_EQ(crd.spec().names().singular(), "widget");
  EXPECT_EQ(crd.spec().names().list_kind(), "WidgetList");
  EXPECT_EQ(crd.spec().conversion().strategy(), "None");
  EXPECT_NE(crd.spec().versions(0).schema().open_api_v3_schema().raw().find("\"replicas\""), std::string::npos)
      << "the schema is kept as JSON";
}

TEST(CrdValidation, TheNameMustBePluralDotGroupAndTheGroupNeedsADot) {
  auto crd = crd_from(kGood);
  crd.mutable_metadata()->set_name("widget.example.com");
  EXPECT_TRUE(has(causes(crd), R"(metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group)"));
  crd = crd_from(kGood);
  crd.mutable_spec()->set_group("example");
  crd.mutable_metadata()->set_name("widgets.example");
  EXPECT_TRUE(has(causes(crd), R"(spec.group: Invalid value: "example": should be a domain with at least one dot)"));
}

TEST(CrdValidation, ScopeNamesStorageVersionAndSchemaAreRequired) {
  auto crd = crd_from(kGood);
  crd.mutable_spec()->set_scope("Global");
  crd.mutable_spec()->mutable_names()->clear_kind();
  crd.mutable_spec()->mutable_versions(0)->set_storage(false);
  crd.mutable_spec()->mutable_versions(0)->clear_schema();
  auto all = causes(crd);
  EXPECT_TRUE(has(all, R"(spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced")"));
  EXPECT_TRUE(has(all, "spec.names.kind: Required value"));
  EXPECT_TRUE(has(all, "spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{...}: must have "
                       "exactly one version marked as storage version"));
  EXPECT_TRUE(has(all, "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"));
}

TEST(CrdValidation, PathsAndPatternsMustParseAndScopeIsImmutable) {
  auto crd = crd_from(kGood);
  crd.mutable_spec()->mutable_versions(0)->mutable_additional_printer_columns(0)->set_json_path("spec.replicas");
  auto all = causes(crd);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_NE(all[0].find("spec.versions[0].additionalPrinterColumns[0].jsonPath: Invalid value"), std::string::npos) << all[0];
  auto old = crd_from(kGood);
  crd = crd_from(kGood);
  crd.mutable_spec()->set_scope("Cluster");
  EXPECT_TRUE(has(causes(crd, &old), R"(spec.scope: Invalid value: "Cluster": field is immutable)"));
}

}  // namespace
