// A CRD's openAPIV3Schema applied to custom objects: validation messages in Kubernetes' words
// (naming the field), defaults, pruning of unknown fields, and the keywords that keep them.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "structural_schema.hpp"

namespace {

using namespace skiff;
namespace json = boost::json;

const char* kSchema = R"({
  "type": "object",
  "properties": {
    "spec": {
      "type": "object",
      "required": ["image"],
      "properties": {
        "image": {"type": "string", "minLength": 1, "maxLength": 20, "pattern": "^[a-z:.0-9/-]+$"},
        "replicas": {"type": "integer", "minimum": 0, "maximum": 10, "default": 1},
        "color": {"type": "string", "enum": ["red", "blue"]},
        "ports": {"type": "array", "minItems": 1, "maxItems": 2, "items": {
          "type": "object", "properties": {"port": {"type": "integer"}, "protocol": {"type": "string", "default": "TCP"}}}},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        "size": {"x-kubernetes-int-or-string": true},
        "when": {"type": "string", "format": "date-time"},
        "ratio": {"type": "number", "exclusiveMinimum": true, "minimum": 0}
      }
    },
    "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}}
  }
})";

std::vector<std::string> causes_of(const char* object) {
  apiserver::StructuralSchema schema(json::parse(kSchema));
  apiserver::FieldErrors errors;
  schema.validate(json::parse(object), errors);
  std::vector<std::string> causes;
  try {
    sdk::ResourceType type{"example.com", "v1", "Widget", "widgets", "widget", true, {}, {}, nullptr};
    errors.throw_if_any(type, "w");
  } catch (const apiserver::ApiError& e) {
    for (const auto& c : e.details().causes()) causes.push_back(c.field() + ": " + c.message());
  }
  return causes;
}

TEST(StructuralSchema, AValidObjectPasses) {
  EXPECT_TRUE(causes_of(R"({"spec":{"image":"nginx:1.27","replicas":3,"color":"red","ports":[{"port":80}],
                            "labels":{"a":"b"},"size":"10%","when":"2026-12-01T10:00:00Z","ratio":0.5}})")
                  .empty());
}

TEST(StructuralSchema, AWrongTypeNamesTheFieldAsKubernetesDoes) {
  auto causes = causes_of(R"({"spec":{"image":"nginx","replicas":"three"}})");
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0], R"(spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string")");
}

TEST(StructuralSchema, RequiredEnumMinimumMaximumPattern) {
  auto causes = causes_of(R"({"spec":{"replicas":11,"color":"pink"}})");
  EXPECT_NE(std::find(causes.begin(), causes.end(), "spec.image: Required value"), causes.end());
  EXPECT_NE(std::find(causes.begin(), causes.end(),
                      R"(spec.color: Unsupported value: "pink": supported values: "red", "blue")"),
            causes.end());
  EXPECT_NE(std::find(causes.begin(), causes.end(),
                      "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10"),
            causes.end());
  causes = causes_of(R"({"spec":{"image":"NGINX","replicas":-1}})");
  EXPECT_NE(std::find(causes.begin(), causes.end(),
                      R"(spec.image: Invalid value: "NGINX": spec.image in body should match '^[a-z:.0-9/-]+$')"),
            causes.end());
  EXPECT_NE(std::find(causes.begin(), causes.end(),
                      "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0"),
            causes.end());
}

TEST(StructuralSchema, LengthsItemsFormatsAndIntOrString) {
  auto causes = causes_of(R"({"spec":{"image":"","ports":[],"size":true,"when":"yesterday","ratio":0}})");
  auto has = [&](const std::string& text) { return std::find(causes.begin(), causes.end(), text) != causes.end(); };
  EXPECT_TRUE(has(R"(spec.image: Invalid value: "": spec.image in body should be at least 1 chars long)")) << causes.size();
  EXPECT_TRUE(has("spec.ports: Invalid value: 0: spec.ports in body should have at least 1 items"));
  EXPECT_TRUE(has(R"(spec.size: Invalid value: "boolean": spec.size in body must be of type integer,string: "boolean")"));
  EXPECT_TRUE(has(R"(spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday")"));
  EXPECT_TRUE(has("spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0"));
  causes = causes_of(R"({"spec":{"image":"abcdefghijklmnopqrstuvwxyz","ports":[{},{},{}]}})");
  EXPECT_NE(std::find(causes.begin(), causes.end(), "spec.image: Too long: may not be more than 20 bytes"), causes.end());
  EXPECT_NE(std::find(causes.begin(), causes.end(), "spec.ports: Too many: 3: must have at most 2 items"), causes.end());
}

TEST(StructuralSchema, NestedItemsAndMapValuesAreChecked) {
  auto causes = causes_of(R"({"spec":{"image":"x","ports":[{"port":"http"}],"labels":{"a":1}}})");
  ASSERT_EQ(causes.size(), 2u);
  EXPECT_EQ(causes[0], R"(spec.ports[0].port: Invalid value: "string": spec.ports[0].port in body must be of type integer: "string")");
  EXPECT_EQ(causes[1], R"(spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer")");
}

TEST(StructuralSchema, DefaultsFillAbsentFieldsInObjectsAndListItems) {
  apiserver::StructuralSchema schema(json::parse(kSchema));
  json::value object = json::parse(R"({"metadata":{"name":"w"},"spec":{"image":"x","ports":[{"port":80}]}})");
  schema.apply_defaults(object);
  EXPECT_EQ(object.at("spec").at("replicas"), 1);
  EXPECT_EQ(object.at("spec").at("ports").at(0).at("protocol"), "TCP");
  EXPECT_FALSE(object.as_object().contains("status")) << "no default, nothing added";
  json::value given = json::parse(R"({"spec":{"image":"x","replicas":5}})");
  schema.apply_defaults(given);
  EXPECT_EQ(given.at("spec").at("replicas"), 5) << "a given value stays";
}

TEST(StructuralSchema, PruningDropsUnknownFieldsButKeepsPreservedOnesAndMaps) {
  apiserver::StructuralSchema schema(json::parse(kSchema));
  json::value object = json::parse(R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","x":1},
    "extra":true,"spec":{"image":"x","bogus":1,"ports":[{"port":1,"junk":2}],"labels":{"any":"thing"},
    "free":{"anything":{"goes":1}}}})");
  auto pruned = schema.prune(object);
  EXPECT_EQ(pruned, (std::vector<std::string>{"extra", "spec.bogus", "spec.ports[0].junk"}));
  EXPECT_FALSE(object.as_object().contains("extra"));
  EXPECT_FALSE(object.at("spec").as_object().contains("bogus"));
  EXPECT_EQ(object.at("spec").at("free").at("anything").at("goes"), 1);
  EXPECT_EQ(object.at("spec").at("labels").at("any"), "thing");
  EXPECT_EQ(object.at("kind"), "Widget") << "apiVersion, kind and metadata are never pruned";
  EXPECT_EQ(object.at("metadata").at("x"), 1);
}

TEST(StructuralSchema, PreserveUnknownFieldsAtTheRootKeepsEverything) {
  apiserver::StructuralSchema schema(json::parse(R"({"type":"object","x-kubernetes-preserve-unknown-fields":true})"));
  json::value object = json::parse(R"({"spec":{"a":{"b":1}},"other":[1]})");
  EXPECT_TRUE(schema.prune(object).empty());
  EXPECT_EQ(object.at("spec").at("a").at("b"), 1);
}

TEST(StructuralSchema, NoSchemaAcceptsAnything) {
  apiserver::StructuralSchema schema;
  json::value object = json::parse(R"({"spec":{"a":1}})");
  apiserver::FieldErrors errors;
  schema.validate(object, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(schema.prune(object).empty());
}

}  // namespace
