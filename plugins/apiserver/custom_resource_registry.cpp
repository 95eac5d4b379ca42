// From a stored CRD to what serving its objects needs; schemas and JSONPaths parsed once.
#include "custom_resource_registry.hpp"

#include <boost/json.hpp>

#include "skiff/api/apiextensions/v1/apiextensions.pb.h"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace ext = api::apiextensions::v1;

std::shared_ptr<const StructuralSchema> schema_of(const ext::CustomResourceDefinitionVersion& v) {
  const std::string& raw = v.schema().open_api_v3_schema().raw();
  if (raw.empty()) return std::make_shared<StructuralSchema>();
  json::error_code ec;
  json::value document = json::parse(raw, ec);
  return std::make_shared<StructuralSchema>(ec ? json::value(nullptr) : std::move(document));
}

PrinterColumn column_of(const ext::CustomResourceColumnDefinition& c) {
  PrinterColumn column{c.name(), c.type(), c.format(), c.description(), c.priority(), c.json_path(), nullptr};
  try {
    column.path = std::make_shared<JsonPath>(c.json_path());
  } catch (const std::invalid_argument&) {
    // Validation refuses such paths; an older stored CRD shows an empty cell.
  }
  return column;
}

CustomResourceVersion version_of(const ext::CustomResourceDefinitionVersion& v) {
  CustomResourceVersion version;
  version.name = v.name();
  version.served = v.served();
  version.storage = v.storage();
  version.deprecated = v.deprecated();
  version.deprecation_warning = v.deprecation_warning();
  version.schema = schema_of(v);
  version.status_subresource = v.has_subresources() && v.subresources().has_status();
  if (v.has_subresources() && v.subresources().has_scale()) {
    const auto& s = v.subresources().scale();
    version.scale = ScaleSubresource{s.spec_replicas_path(), s.status_replicas_path(), s.label_selector_path()};
  }
  for (const auto& c : v.additional_printer_columns()) version.columns.push_back(column_of(c));
  return version;
}

// ApiCore treats some kinds specially by their name (a Service gets a cluster IP, a Pod a grace
// period): a custom kind that shares a built-in kind's name (Knative's Service) is renamed for it.
std::string api_core_kind(const std::string& kind) {
  for (const auto& builtin : sdk::resource_types())
    if (builtin.kind == kind) return kind + " (custom)";
  return kind;
}

}  // namespace

const CustomResourceVersion* ServedCustomResource::version(const std::string& name) const {
  for (const auto& v : versions)
    if (v.name == name && v.served) return &v;
  return nullptr;
}

const CustomResourceVersion& ServedCustomResource::storage_version() const {
  for (const auto& v : versions)
    if (v.storage) return v;
  return versions.front();
}

std::optional<ServedCustomResource> served_from(const ext::CustomResourceDefinition& crd) {
  const auto& spec = crd.spec();
  if (spec.group().empty() || spec.names().plural().empty() || spec.names().kind().empty() || spec.versions().empty())
    return std::nullopt;
  ServedCustomResource served;
  served.crd_name = crd.metadata().name();
  served.group = spec.group();
  served.kind = spec.names().kind();
  served.list_kind = spec.names().list_kind().empty() ? served.kind + "List" : spec.names().list_kind();
  served.plural = spec.names().plural();
  served.singular = spec.names().singular();
  if (served.singular.empty())
    for (char c : served.kind) served.singular += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  served.short_names.assign(spec.names().short_names().begin(), spec.names().short_names().end());
  served.categories.assign(spec.names().categories().begin(), spec.names().categories().end());
  served.namespaced = spec.scope() != "Cluster";
  served.terminating = !crd.metadata().deletion_timestamp().empty();
  for (const auto& v : spec.versions()) served.versions.push_back(version_of(v));
  const CustomResourceVersion& storage = served.storage_version();
  served.type = sdk::ResourceType{served.group, storage.name, api_core_kind(served.kind), served.plural, served.singular,
                                  served.namespaced, served.short_names, served.categories,
                                  ext::CustomResourceObject::descriptor()};
  return served;
}

void CustomResourceRegistry::replace(std::vector<ServedCustomResourcePtr> served) {
  std::function<void(const std::vector<ServedCustomResourcePtr>&)> listener;
  {
    std::lock_guard lock(mutex_);
    served_ = served;
    listener = listener_;
  }
  if (listener) listener(served);  // outside the lock: it may read the registry
}

std::vector<ServedCustomResourcePtr> CustomResourceRegistry::all() const {
  std::lock_guard lock(mutex_);
  return served_;
}

ServedCustomResourcePtr CustomResourceRegistry::find(const std::string& group, const std::string& plural) const {
  std::lock_guard lock(mutex_);
  for (const auto& s : served_)
    if (s->group == group && s->plural == plural) return s;
  return nullptr;
}

}  // namespace skiff::apiserver
