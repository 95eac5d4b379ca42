#include "podlog_table.hpp"

#include <string>

#include "table_column.hpp"

namespace skiff::apiserver {

namespace json = boost::json;

namespace {

const TableColumn kColumns[] = {
    {"Time", "string", 0, "When the container wrote the line (the runtime's clock)."},
    {"Pod", "string", 0, "The pod that wrote it (it may be deleted by now)."},
    {"Container", "string", 0, "The container within the pod."},
    {"Line", "string", 0, "The line as written (bytes that are not UTF-8 escaped as \\xNN)."},
    {"Node", "string", 1, "The node the pod ran on."},
    {"Stream", "string", 1, "stdout or stderr."},
};

json::value text(const json::object& item, const char* key) {
  const auto* v = item.if_contains(key);
  return v && v->is_string() ? *v : json::value("");
}

json::value line_cell(const json::object& item) {
  std::string line(text(item, "line").as_string());
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return json::value(line);
}

json::object row_of(const json::object& item) {
  json::object metadata;
  metadata["name"] = text(item, "pod");
  metadata["namespace"] = text(item, "namespace");
  json::object row;
  row["cells"] = json::array{text(item, "time"), text(item, "pod"), text(item, "container"), line_cell(item),
                             text(item, "node"), text(item, "stream")};
  row["object"] = json::object{{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"},
                               {"metadata", std::move(metadata)}};
  return row;
}

}  // namespace

json::object podlog_table(const json::array& items, bool include_columns) {
  json::array definitions;
  if (include_columns)
    for (const auto& c : kColumns)
      definitions.push_back(json::object{{"name", c.name}, {"type", c.type}, {"format", ""},
                                         {"description", c.description}, {"priority", c.priority}});
  json::array rows;
  for (const auto& item : items) rows.push_back(row_of(item.as_object()));
  return json::object{{"kind", "Table"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", json::object{}},
                      {"columnDefinitions", std::move(definitions)}, {"rows", std::move(rows)}};
}

}  // namespace skiff::apiserver
