#include "key_layout.hpp"

#include "skiff/sdk/custom_resource_types.hpp"
#include "skiff/sdk/resources.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::store_etcd {

namespace {

void check_part(std::string_view what, std::string_view value, bool may_be_empty) {
  if (value.empty() && !may_be_empty) throw sdk::Error(sdk::Status::BadRequest("store key without a " + std::string(what)));
  if (value.find('/') != std::string_view::npos)
    throw sdk::Error(sdk::Status::BadRequest("store key " + std::string(what) + " '" + std::string(value) +
                                             "' may not contain '/'"));
}

}  // namespace

KeyLayout::KeyLayout(std::string prefix) : prefix_(std::move(prefix)) {
  while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
}

std::string KeyLayout::object(const store::v1::ObjectKey& key) const {
  const sdk::ResourceType* type = sdk::find_resource_or_custom(key.resource());
  if (!type) throw sdk::Error(sdk::Status::BadRequest("unknown resource '" + key.resource() + "'"));
  // A custom resource's scope is its CRD's, which the apiserver checks.
  if (type->namespaced && key.namespace_().empty() && !sdk::is_custom_resource(*type))
    throw sdk::Error(sdk::Status::BadRequest(key.resource() + " are namespaced: the key needs a namespace"));
  if (!type->namespaced && !key.namespace_().empty())
    throw sdk::Error(sdk::Status::BadRequest(key.resource() + " are cluster-scoped: the key must not have a namespace"));
  check_part("resource", key.resource(), false);
  check_part("namespace", key.namespace_(), true);
  check_part("name", key.name(), false);
  return objects() + key.resource() + "/" + key.namespace_() + "/" + key.name();
}

std::string KeyLayout::objects_of(std::string_view resource, std::string_view ns) const {
  std::string out = objects() + std::string(resource) + "/";
  if (!ns.empty()) out += std::string(ns) + "/";
  return out;
}

std::optional<store::v1::ObjectKey> KeyLayout::parse_object(std::string_view key) const {
  const std::string root = objects();
  if (!key.starts_with(root)) return std::nullopt;
  key.remove_prefix(root.size());
  auto first = key.find('/');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = key.find('/', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  store::v1::ObjectKey out;
  out.set_resource(std::string(key.substr(0, first)));
  out.set_namespace_(std::string(key.substr(first + 1, second - first - 1)));
  out.set_name(std::string(key.substr(second + 1)));
  if (out.resource().empty() || out.name().empty()) return std::nullopt;
  return out;
}

std::optional<std::string> KeyLayout::parse_marker(std::string_view key) const {
  std::string root = markers();
  if (!key.starts_with(root) || key.size() == root.size()) return std::nullopt;
  return std::string(key.substr(root.size()));
}

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto last = static_cast<unsigned char>(end.back());
    if (last < 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');
}

}  // namespace skiff::store_etcd
