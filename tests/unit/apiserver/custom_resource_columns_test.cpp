// JSONPath as CRD printer columns use it, and the cells a custom resource's Table gets.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "custom_resource_tables.hpp"
#include "json_path.hpp"
#include "skiff/sdk/time.hpp"

namespace {

using namespace skiff;
namespace json = boost::json;

const char* kObject = R"({"metadata":{"name":"w1","creationTimestamp":"2020-01-01T00:00:00Z"},
  "spec":{"replicas":3,"image":"nginx","dotted.key":"yes","ports":[{"port":80},{"port":443}]},
  "status":{"ready":true,"conditions":[{"type":"Ready","status":"True"},{"type":"Synced","status":"False"}]}})";

std::vector<std::string> found(const char* path) {
  json::value object = json::parse(kObject);
  std::vector<std::string> out;
  for (const auto* v : apiserver::JsonPath(path).find(object)) out.push_back(apiserver::json_cell_text(*v));
  return out;
}

TEST(JsonPath, FieldsIndexesWildcardsAndFilters) {
  EXPECT_EQ(found(".spec.replicas"), std::vector<std::string>{"3"});
  EXPECT_EQ(found(".spec.image"), std::vector<std::string>{"nginx"});
  EXPECT_EQ(found(".spec['dotted.key']"), std::vector<std::string>{"yes"});
  EXPECT_EQ(found(".spec.ports[1].port"), std::vector<std::string>{"443"});
  EXPECT_EQ(found(".spec.ports[-1].port"), std::vector<std::string>{"443"});
  EXPECT_EQ(found(".spec.ports[*].port"), (std::vector<std::string>{"80", "443"}));
  EXPECT_EQ(found(".status.conditions[?(@.type==\"Ready\")].status"), std::vector<std::string>{"True"});
  EXPECT_EQ(found("{.status.ready}"), std::vector<std::string>{"true"});
  EXPECT_TRUE(found(".spec.missing.deeper").empty());
  EXPECT_TRUE(found(".spec.ports[5]").empty());
}

TEST(JsonPath, MalformedPathsAreRefusedSayingWhere) {
  for (const char* bad : {"spec.replicas", ".spec.", ".spec[", ".spec[abc]", ".spec[?(@.a>1)]"}) {
    try {
      apiserver::JsonPath path(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("invalid JSONPath"), std::string::npos) << e.what();
    }
  }
}

apiserver::PrinterColumn column(const char* name, const char* type, const char* path) {
  apiserver::PrinterColumn c{name, type, "", "", 0, path, nullptr};
  c.path = std::make_shared<apiserver::JsonPath>(path);
  return c;
}

TEST(CustomResourceTable, CellsAreTypedByTheirColumn) {
  json::value object = json::parse(kObject);
  EXPECT_EQ(apiserver::custom_cell(column("Replicas", "integer", ".spec.replicas"), object), 3);
  EXPECT_EQ(apiserver::custom_cell(column("Ready", "boolean", ".status.ready"), object), true);
  EXPECT_EQ(apiserver::custom_cell(column("Image", "string", ".spec.image"), object), "nginx");
  EXPECT_EQ(apiserver::custom_cell(column("Port", "string", ".spec.ports[0].port"), object), "80");
  EXPECT_TRUE(apiserver::custom_cell(column("None", "string", ".spec.nothing"), object).is_null());
  json::value age = apiserver::custom_cell(column("Age", "date", ".metadata.creationTimestamp"), object);
  EXPECT_EQ(age, json::string(sdk::age_since("2020-01-01T00:00:00Z")));
}

TEST(CustomResourceTable, NameThenTheDeclaredColumnsOrAgeWhenThereAreNone) {
  apiserver::CustomResourceVersion version;
  version.name = "v1";
  std::vector<json::object> objects{json::parse(kObject).as_object()};
  auto table = apiserver::render_custom_table(version, objects, {});
  const auto& columns = table.at("columnDefinitions").as_array();
  ASSERT_EQ(columns.size(), 2u);
  EXPECT_EQ(columns[0].at("name"), "Name");
  EXPECT_EQ(columns[1].at("name"), "Age");
  EXPECT_EQ(table.at("rows").at(0).at("cells").at(0), "w1");
  version.columns = {column("Replicas", "integer", ".spec.replicas"),
                     column("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status")};
  table = apiserver::render_custom_table(version, objects, {});
  ASSERT_EQ(table.at("columnDefinitions").as_array().size(), 3u);
  EXPECT_EQ(table.at("rows").at(0).at("cells"), (json::array{"w1", 3, "True"}));
  EXPECT_EQ(table.at("rows").at(0).at("object").at("kind"), "PartialObjectMetadata");
}

}  // namespace
