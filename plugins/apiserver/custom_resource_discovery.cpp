// Kubernetes orders a group's versions by its version priority (v2 > v1 > v1beta1 > v1alpha1);
// the first one is the preferred version kubectl uses.
#include "custom_resource_discovery.hpp"

#include <algorithm>
#include <regex>

#include <boost/json.hpp>

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

// Kubernetes' version priority: GA before beta before alpha, higher numbers first, others last
// in alphabetical order.
bool version_before(const std::string& a, const std::string& b) {
  static const std::regex kube(R"(^v(\d+)(?:(alpha|beta)(\d+))?$)");
  std::smatch ma, mb;
  bool ka = std::regex_match(a, ma, kube), kb = std::regex_match(b, mb, kube);
  if (ka != kb) return ka;
  if (!ka) return a < b;
  auto stage = [](const std::smatch& m) { return m[2] == "" ? 2 : m[2] == "beta" ? 1 : 0; };
  if (stage(ma) != stage(mb)) return stage(ma) > stage(mb);
  if (std::stoi(ma[1]) != std::stoi(mb[1])) return std::stoi(ma[1]) > std::stoi(mb[1]);
  return (ma[3] == "" ? 0 : std::stoi(ma[3])) > (mb[3] == "" ? 0 : std::stoi(mb[3]));
}

std::vector<std::string> group_versions(const CustomResourceRegistry& registry, const std::string& group) {
  std::vector<std::string> versions;
  for (const auto& crd : registry.all()) {
    if (crd->group != group || crd->terminating) continue;
    for (const auto& v : crd->versions)
      if (v.served && std::find(versions.begin(), versions.end(), v.name) == versions.end()) versions.push_back(v.name);
  }
  std::sort(versions.begin(), versions.end(), version_before);
  return versions;
}

json::object group_document(const std::string& group, const std::vector<std::string>& versions) {
  json::array list;
  for (const auto& v : versions) list.push_back(json::object{{"groupVersion", group + "/" + v}, {"version", v}});
  json::object doc{{"name", group}, {"versions", list}};
  doc["preferredVersion"] = list.front();
  return doc;
}

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.push_back(json::string(s));
  return out;
}

}  // namespace

void add_custom_groups(const CustomResourceRegistry& registry, json::array& groups) {
  std::vector<std::string> seen;
  for (const auto& crd : registry.all()) {
    if (std::find(seen.begin(), seen.end(), crd->group) != seen.end()) continue;
    seen.push_back(crd->group);
    auto versions = group_versions(registry, crd->group);
    if (!versions.empty()) groups.push_back(group_document(crd->group, versions));
  }
}

json::value custom_group_document(const CustomResourceRegistry& registry, const std::string& group) {
  auto versions = group_versions(registry, group);
  if (versions.empty()) return nullptr;
  json::object doc = group_document(group, versions);
  doc["kind"] = "APIGroup";
  doc["apiVersion"] = "v1";
  return doc;
}

json::value custom_resource_list(const CustomResourceRegistry& registry, const std::string& group,
                                 const std::string& version) {
  json::array resources;
  for (const auto& crd : registry.all()) {
    if (crd->group != group || crd->terminating) continue;
    const CustomResourceVersion* v = crd->version(version);
    if (!v) continue;
    json::object r{{"name", crd->plural}, {"singularName", crd->singular}, {"namespaced", crd->namespaced},
                   {"kind", crd->kind},
                   {"verbs", json::array{"delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"}}};
    if (!crd->short_names.empty()) r["shortNames"] = strings(crd->short_names);
    if (!crd->categories.empty()) r["categories"] = strings(crd->categories);
    resources.push_back(std::move(r));
    if (v->status_subresource)
      resources.push_back(json::object{{"name", crd->plural + "/status"}, {"singularName", ""},
                                       {"namespaced", crd->namespaced}, {"kind", crd->kind},
                                       {"verbs", json::array{"get", "patch", "update"}}});
    if (v->scale)
      resources.push_back(json::object{{"name", crd->plural + "/scale"}, {"singularName", ""},
                                       {"namespaced", crd->namespaced}, {"group", "autoscaling"}, {"version", "v1"},
                                       {"kind", "Scale"}, {"verbs", json::array{"get", "patch", "update"}}});
  }
  if (resources.empty()) return nullptr;
  return json::object{{"kind", "APIResourceList"}, {"apiVersion", "v1"}, {"groupVersion", group + "/" + version},
                      {"resources", std::move(resources)}};
}

}  // namespace skiff::apiserver
