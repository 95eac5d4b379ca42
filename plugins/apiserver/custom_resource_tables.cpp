// Kubernetes' apiextensions table convertor, in short.
#include "custom_resource_tables.hpp"

#include <cmath>

#include <boost/json.hpp>

#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

std::vector<PrinterColumn> columns_of(const CustomResourceVersion& version) {
  if (!version.columns.empty()) return version.columns;
  PrinterColumn age{"Age", "date", "", "", 0, ".metadata.creationTimestamp", nullptr};
  age.path = std::make_shared<JsonPath>(age.json_path);
  return {age};
}

json::value typed(const std::string& type, const json::value& value) {
  if (type == "integer" && (value.is_int64() || value.is_uint64())) return value;
  if (type == "integer" && value.is_double()) return static_cast<std::int64_t>(value.as_double());
  if (type == "number" && (value.is_int64() || value.is_uint64() || value.is_double())) return value;
  if (type == "boolean" && value.is_bool()) return value;
  if (type == "date") {
    if (!value.is_string()) return nullptr;
    std::string age = sdk::age_since(std::string(value.as_string()));
    return json::string(age.empty() ? "<invalid>" : age);
  }
  return json::string(json_cell_text(value));
}

}  // namespace

json::value custom_cell(const PrinterColumn& column, const json::value& object) {
  if (!column.path) return nullptr;
  auto found = column.path->find(object);
  if (found.empty()) return nullptr;
  return typed(column.type, *found.front());
}

json::object render_custom_table(const CustomResourceVersion& version, const std::vector<json::object>& objects,
                                 const CustomTableOptions& options) {
  json::object table;
  table["kind"] = "Table";
  table["apiVersion"] = "meta.k8s.io/v1";
  json::object metadata{{"resourceVersion", options.resource_version}};
  if (!options.continue_token.empty()) metadata["continue"] = options.continue_token;
  table["metadata"] = std::move(metadata);
  auto columns = columns_of(version);
  json::array definitions;
  if (options.include_columns) {
    definitions.push_back(json::object{{"name", "Name"}, {"type", "string"}, {"format", "name"},
                                       {"description", "Name must be unique within a namespace. Is required when creating "
                                                       "resources, although some resources may allow a client to request "
                                                       "the generation of an appropriate name automatically."},
                                       {"priority", 0}});
    for (const auto& c : columns)
      definitions.push_back(json::object{{"name", c.name}, {"type", c.type}, {"format", c.format},
                                         {"description", c.description}, {"priority", c.priority}});
  }
  table["columnDefinitions"] = std::move(definitions);
  json::array rows;
  for (const auto& object : objects) {
    json::value whole = object;
    json::array cells;
    const json::value* meta = object.if_contains("metadata");
    const json::value* name = meta && meta->is_object() ? meta->as_object().if_contains("name") : nullptr;
    cells.push_back(name ? *name : json::value(""));
    for (const auto& c : columns) cells.push_back(custom_cell(c, whole));
    json::object row{{"cells", std::move(cells)}};
    if (options.include_object == "Object") {
      row["object"] = object;
    } else if (options.include_object != "None") {
      row["object"] = json::object{{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"},
                                   {"metadata", meta ? *meta : json::object{}}};
    }
    rows.push_back(std::move(row));
  }
  table["rows"] = std::move(rows);
  return table;
}

}  // namespace skiff::apiserver
