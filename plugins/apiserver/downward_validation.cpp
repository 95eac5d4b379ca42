// The downward API's references checked as Kubernetes checks them, divisors by their canonical text.
#include "downward_validation.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "divisor_validation.hpp"
#include "field_rules.hpp"

namespace skiff::apiserver {

namespace {

namespace core = api::core::v1;
using Strings = std::vector<std::string>;

// Sorted, as Kubernetes lists supported values.
const Strings kEnvFieldPaths = {"metadata.name",  "metadata.namespace", "metadata.uid",  "spec.nodeName",
                                "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP",
                                "status.podIPs"};
const Strings kVolumeFieldPaths = {"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
                                   "metadata.uid"};
const Strings kResources = {"limits.cpu",   "limits.ephemeral-storage",   "limits.memory",
                            "requests.cpu", "requests.ephemeral-storage", "requests.memory"};
// Every field label Kubernetes' ConvertDownwardAPIFieldLabel knows for pods (what it does not
// know is an error converting; what it knows but the context does not offer is unsupported).
const Strings kPodFieldLabels = {"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
                                 "metadata.uid",  "spec.nodeName",  "spec.restartPolicy", "spec.serviceAccountName",
                                 "spec.schedulerName", "status.phase", "status.hostIP", "status.hostIPs",
                                 "status.podIP", "status.podIPs"};

bool has(const Strings& list, const std::string& value) { return std::find(list.begin(), list.end(), value) != list.end(); }

void each(FieldErrors& errors, const std::string& field, const std::string& value_json, const Messages& messages) {
  for (const auto& m : messages) errors.invalid(field, value_json, m);
}

// fieldpath.SplitMaybeSubscriptedPath: "metadata.labels['app']" → "metadata.labels", "app".
bool split_subscript(const std::string& path, std::string& base, std::string& key) {
  if (path.size() < 2 || path.compare(path.size() - 2, 2, "']") != 0) return false;
  auto open = path.find("['");
  if (open == std::string::npos || open == 0 || open + 2 > path.size() - 2) return false;
  base = path.substr(0, open);
  key = path.substr(open + 2, path.size() - 2 - open - 2);
  return true;
}

// ConvertDownwardAPIFieldLabel's error, or nullopt when it converts (to `converted`).
std::optional<std::string> conversion_error(const core::ObjectFieldSelector& selector, std::string& converted) {
  if (selector.api_version() != "v1") return "unsupported pod version: " + selector.api_version();
  const std::string& label = selector.field_path();
  std::string base, key;
  if (split_subscript(label, base, key)) {
    if (base != "metadata.annotations" && base != "metadata.labels") return "field label does not support subscript: " + label;
  } else if (label == "spec.host") {
    converted = "spec.nodeName";
    return std::nullopt;
  } else if (!has(kPodFieldLabels, label)) {
    return "field label not supported: " + label;
  }
  converted = label;
  return std::nullopt;
}

void check_object_field_selector(FieldErrors& errors, const std::string& field, const core::ObjectFieldSelector& selector,
                                 const Strings& offered) {
  if (selector.api_version().empty()) return errors.required(field + ".apiVersion");
  if (selector.field_path().empty()) return errors.required(field + ".fieldPath");
  std::string path;
  if (auto error = conversion_error(selector, path))
    return errors.invalid(field + ".fieldPath", quoted(selector.field_path()), "error converting fieldPath: " + *error);
  std::string base, key;
  if (split_subscript(path, base, key)) {
    if (base == "metadata.annotations") {
      std::string lower = key;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      each(errors, field, quoted(lower), qualified_name_errors(lower));
    } else {
      each(errors, field, quoted(key), qualified_name_errors(key));
    }
  } else if (!has(offered, path)) {
    errors.unsupported(field + ".fieldPath", path, offered);
  }
}

void check_resource_field_selector(FieldErrors& errors, const std::string& field, const core::ResourceFieldSelector& selector,
                                   bool volume) {
  const std::string& resource = selector.resource();
  if (volume && selector.container_name().empty()) errors.required(field + ".containerName");
  else if (resource.empty()) errors.required(field + ".resource");
  else if (!has(kResources, resource) && resource.rfind("requests.hugepages-", 0) != 0 &&
           resource.rfind("limits.hugepages-", 0) != 0)
    errors.unsupported(field + ".resource", resource, kResources);
  check_divisor(errors, field, selector);
}

// validateConfigMapKeySelector and validateSecretKeySelector: the same rules.
void check_key_selector(FieldErrors& errors, const std::string& field, const std::string& name, const std::string& key) {
  each(errors, field + ".name", quoted(name), dns1123_subdomain_errors(name));
  if (key.empty()) errors.required(field + ".key");
  else each(errors, field + ".key", quoted(key), config_map_key_errors(key));
}

}  // namespace

void check_env_value_from(FieldErrors& errors, const std::string& field, const core::EnvVar& env) {
  if (!env.has_value_from()) return;
  const auto& from = env.value_from();
  int sources = 0;
  if (from.has_field_ref()) {
    ++sources;
    check_object_field_selector(errors, field + ".fieldRef", from.field_ref(), kEnvFieldPaths);
  }
  if (from.has_resource_field_ref()) {
    ++sources;
    check_resource_field_selector(errors, field + ".resourceFieldRef", from.resource_field_ref(), false);
  }
  if (from.has_config_map_key_ref()) {
    ++sources;
    check_key_selector(errors, field + ".configMapKeyRef", from.config_map_key_ref().name(), from.config_map_key_ref().key());
  }
  if (from.has_secret_key_ref()) {
    ++sources;
    check_key_selector(errors, field + ".secretKeyRef", from.secret_key_ref().name(), from.secret_key_ref().key());
  }
  if (sources == 0)
    errors.invalid(field, "\"\"", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
  else if (!env.value().empty())
    errors.invalid(field, "\"\"", "may not be specified when `value` is not empty");
  else if (sources > 1)
    errors.invalid(field, "\"\"", "may not have more than one field specified at a time");
}

void check_local_non_reserved_path(FieldErrors& errors, const std::string& field, const std::string& path) {
  if (!path.empty() && path.front() == '/') errors.invalid(field, quoted(path), "must be a relative path");
  for (std::size_t start = 0;;) {
    auto slash = path.find('/', start);
    if (path.substr(start, slash == std::string::npos ? std::string::npos : slash - start) == "..") {
      errors.invalid(field, quoted(path), "must not contain '..'");
      break;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  // Kubernetes words ".." itself both ways.
  if (path.rfind("..", 0) == 0 && path.rfind("../", 0) != 0) errors.invalid(field, quoted(path), "must not start with '..'");
}

void check_file_mode(FieldErrors& errors, const std::string& field, int mode) {
  if (mode < 0 || mode > 0777)
    errors.invalid(field, std::to_string(mode), "must be a number between 0 and 0777 (octal), both inclusive");
}

void check_downward_api_file(FieldErrors& errors, const std::string& field, const core::DownwardAPIVolumeFile& file) {
  if (file.path().empty()) errors.required(field + ".path");
  check_local_non_reserved_path(errors, field + ".path", file.path());
  if (file.has_field_ref()) {
    check_object_field_selector(errors, field + ".fieldRef", file.field_ref(), kVolumeFieldPaths);
    if (file.has_resource_field_ref())
      errors.invalid(field, "\"resource\"", "fieldRef and resourceFieldRef can not be specified simultaneously");
  } else if (file.has_resource_field_ref()) {
    check_resource_field_selector(errors, field + ".resourceFieldRef", file.resource_field_ref(), true);
  } else {
    errors.required(field, "one of fieldRef and resourceFieldRef is required");
  }
  if (file.has_mode()) check_file_mode(errors, field + ".mode", file.mode());
}

}  // namespace skiff::apiserver
