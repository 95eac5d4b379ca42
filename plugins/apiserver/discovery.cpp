// Built from the SDK's resource registry, so a new type appears everywhere at once.
#include "discovery.hpp"

#include <boost/json.hpp>

#include "served_versions.hpp"
#include "skiff/sdk/resources.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

json::array all_verbs() {
  return {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
}

json::object resource_entry(const std::string& name, const std::string& singular, bool namespaced,
                            const std::string& kind, json::array verbs) {
  json::object r;
  r["name"] = name;
  r["singularName"] = singular;
  r["namespaced"] = namespaced;
  r["kind"] = kind;
  r["verbs"] = std::move(verbs);
  return r;
}

// Subresources each type offers: name, kind, verbs, and the group/version of their kind.
struct Sub {
  const char* name;
  const char* kind;
  std::vector<const char*> verbs;
  const char* group;
  const char* version;
};

std::vector<Sub> subresources_of(const std::string& kind) {
  if (kind == "Pod")
    return {{"attach", "PodAttachOptions", {"create", "get"}, nullptr, nullptr},
            {"binding", "Binding", {"create"}, nullptr, nullptr},
            {"ephemeralcontainers", "Pod", {"get", "patch", "update"}, nullptr, nullptr},
            {"eviction", "Eviction", {"create"}, "policy", "v1"},
            {"exec", "PodExecOptions", {"create", "get"}, nullptr, nullptr},
            {"log", "Pod", {"get"}, nullptr, nullptr},
            {"portforward", "PodPortForwardOptions", {"create", "get"}, nullptr, nullptr},
            {"status", "Pod", {"get", "patch", "update"}, nullptr, nullptr}};
  if (kind == "Deployment" || kind == "ReplicaSet" || kind == "StatefulSet")
    return {{"scale", "Scale", {"get", "patch", "update"}, "autoscaling", "v1"},
            {"status", kind.c_str(), {"get", "patch", "update"}, nullptr, nullptr}};
  if (kind == "Node" || kind == "Service" || kind == "DaemonSet" || kind == "Ingress" || kind == "PersistentVolume" ||
      kind == "PersistentVolumeClaim" || kind == "Job" || kind == "CronJob" || kind == "PodDisruptionBudget" ||
      kind == "HorizontalPodAutoscaler")
    return {{"status", kind.c_str(), {"get", "patch", "update"}, nullptr, nullptr}};
  if (kind == "ServiceAccount") return {{"token", "TokenRequest", {"create"}, "authentication.k8s.io", "v1"}};
  if (kind == "Namespace")
    return {{"finalize", "Namespace", {"update"}, nullptr, nullptr}, {"status", "Namespace", {"get", "patch", "update"}, nullptr, nullptr}};
  return {};
}

}  // namespace

json::value version_document(const ServerVersion& version) {
  std::string minor = "0";
  auto first_dot = version.git_version.find('.');
  if (first_dot != std::string::npos) {
    auto second = version.git_version.find('.', first_dot + 1);
    minor = version.git_version.substr(first_dot + 1, second == std::string::npos ? std::string::npos : second - first_dot - 1);
  }
  json::object v;
  v["major"] = "1";
  v["minor"] = minor;
  v["gitVersion"] = version.git_version;
  v["gitCommit"] = "skiff";
  v["gitTreeState"] = "clean";
  v["buildDate"] = "2026-11-27T00:00:00Z";
  v["goVersion"] = "skiff (C++20)";
  v["compiler"] = "gc";
  v["platform"] = "linux/amd64";
  return v;
}

json::value api_versions_document(const std::string& server_address) {
  json::object doc;
  doc["kind"] = "APIVersions";
  doc["versions"] = json::array{"v1"};
  json::object cidr;
  cidr["clientCIDR"] = "0.0.0.0/0";
  cidr["serverAddress"] = server_address;
  doc["serverAddressByClientCIDRs"] = json::array{cidr};
  return doc;
}

json::value api_group_list_document(bool with_metrics, bool with_logging) {
  json::object doc;
  doc["kind"] = "APIGroupList";
  doc["apiVersion"] = "v1";
  json::array groups;
  std::vector<std::string> seen;
  for (const auto& type : sdk::resource_types()) {
    if (type.group.empty() || std::find(seen.begin(), seen.end(), type.group) != seen.end()) continue;
    seen.push_back(type.group);
    json::object gv;
    gv["groupVersion"] = type.api_version();
    gv["version"] = type.version;
    json::array versions{gv};
    // Served-only versions follow the stored (preferred) one, as Kubernetes lists autoscaling v2 then v1.
    for (const auto& served : served_versions()) {
      if (served.type.group != type.group) continue;
      versions.push_back(json::object{{"groupVersion", served.type.api_version()}, {"version", served.type.version}});
    }
    json::object group;
    group["name"] = type.group;
    group["versions"] = std::move(versions);
    group["preferredVersion"] = gv;
    groups.push_back(std::move(group));
  }
  // kubectl auth whoami / can-i (access_reviews.hpp).
  json::object authn_v1{{"groupVersion", "authentication.k8s.io/v1"}, {"version", "v1"}};
  json::object authn_beta{{"groupVersion", "authentication.k8s.io/v1beta1"}, {"version", "v1beta1"}};
  groups.push_back(json::object{{"name", "authentication.k8s.io"}, {"versions", json::array{authn_v1, authn_beta}},
                                {"preferredVersion", authn_v1}});
  json::object authz_v1{{"groupVersion", "authorization.k8s.io/v1"}, {"version", "v1"}};
  groups.push_back(json::object{{"name", "authorization.k8s.io"}, {"versions", json::array{authz_v1}},
                                {"preferredVersion", authz_v1}});
  if (with_metrics) {
    json::object gv{{"groupVersion", "metrics.k8s.io/v1beta1"}, {"version", "v1beta1"}};
    groups.push_back(json::object{{"name", "metrics.k8s.io"}, {"versions", json::array{gv}}, {"preferredVersion", gv}});
  }
  if (with_logging) {
    json::object gv{{"groupVersion", "logging.skiff.io/v1"}, {"version", "v1"}};
    groups.push_back(json::object{{"name", "logging.skiff.io"}, {"versions", json::array{gv}}, {"preferredVersion", gv}});
  }
  doc["groups"] = std::move(groups);
  return doc;
}

json::value api_resource_list_document(const std::string& group, const std::string& version) {
  json::array resources;
  std::vector<const sdk::ResourceType*> types;
  for (const auto& type : sdk::resource_types()) types.push_back(&type);
  for (const auto& served : served_versions()) types.push_back(&served.type);
  for (const auto* each : types) {
    const sdk::ResourceType& type = *each;
    if (type.group != group || type.version != version) continue;
    json::object r = resource_entry(type.plural, type.singular, type.namespaced, type.kind, all_verbs());
    json::array short_names, categories;
    for (const auto& s : type.short_names) short_names.push_back(json::string(s));
    for (const auto& c : type.categories) categories.push_back(json::string(c));
    if (!short_names.empty()) r["shortNames"] = std::move(short_names);
    if (!categories.empty()) r["categories"] = std::move(categories);
    resources.push_back(std::move(r));
    for (const auto& sub : subresources_of(type.kind)) {
      json::array verbs;
      for (const char* v : sub.verbs) verbs.push_back(v);
      json::object s = resource_entry(type.plural + "/" + sub.name, "", type.namespaced, sub.kind, std::move(verbs));
      if (sub.group) {
        s["group"] = sub.group;
        s["version"] = sub.version;
      }
      resources.push_back(std::move(s));
    }
  }
  if (resources.empty()) return nullptr;
  json::object doc;
  doc["kind"] = "APIResourceList";
  doc["apiVersion"] = "v1";
  doc["groupVersion"] = group.empty() ? version : group + "/" + version;
  doc["resources"] = std::move(resources);
  return doc;
}

}  // namespace skiff::apiserver
