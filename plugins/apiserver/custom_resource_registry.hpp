// The custom resources the apiserver serves right now, made from the stored CRDs: names,
// scope, versions with their schema, subresources and printer columns. Request handlers take
// a snapshot (a shared_ptr) and never see it change under them.
//
// For the OpenAPI publisher: CustomResourceRegistry::all() gives every served CRD with each
// version's openAPIV3Schema exactly as stored (versions[i].schema->document()); RestApi reaches
// the registry through CustomResources::registry().
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "json_path.hpp"
#include "skiff/api/apiextensions/v1/apiextensions.pb.h"
#include "skiff/sdk/resources.hpp"
#include "structural_schema.hpp"

namespace skiff::apiserver {

struct PrinterColumn {
  std::string name, type, format, description;
  int priority = 0;
  std::string json_path;
  std::shared_ptr<const JsonPath> path;  // null when the stored path does not parse
};

struct ScaleSubresource {
  std::string spec_replicas_path, status_replicas_path, label_selector_path;
};

struct CustomResourceVersion {
  std::string name;
  bool served = false;
  bool storage = false;
  bool deprecated = false;
  std::string deprecation_warning;
  std::shared_ptr<const StructuralSchema> schema;
  bool status_subresource = false;
  std::optional<ScaleSubresource> scale;
  std::vector<PrinterColumn> columns;  // as declared; empty: NAME and AGE
};

struct ServedCustomResource {
  std::string crd_name;  // <plural>.<group>
  std::string group, kind, list_kind, plural, singular;
  std::vector<std::string> short_names, categories;
  bool namespaced = true;
  bool terminating = false;  // the CRD is being deleted: no new objects, gone from discovery
  std::vector<CustomResourceVersion> versions;
  // The storage version's type as ApiCore and the store see it (CustomResourceObject messages).
  sdk::ResourceType type;

  const CustomResourceVersion* version(const std::string& name) const;  // served ones only
  const CustomResourceVersion& storage_version() const;
  std::string api_version(const std::string& version) const { return group + "/" + version; }
};

using ServedCustomResourcePtr = std::shared_ptr<const ServedCustomResource>;

// What a stored CRD serves; nullopt when it is not (yet) servable (no storage version, …).
std::optional<ServedCustomResource> served_from(const api::apiextensions::v1::CustomResourceDefinition& crd);

class CustomResourceRegistry {
 public:
  void replace(std::vector<ServedCustomResourcePtr> served);
  // Called after each replace with what is served now (the OpenAPI documents follow it).
  void on_replace(std::function<void(const std::vector<ServedCustomResourcePtr>&)> listener) {
    std::lock_guard lock(mutex_);
    listener_ = std::move(listener);
  }
  // Every CRD served now (terminating ones too), each version with its schema.
  std::vector<ServedCustomResourcePtr> all() const;
  // By group and plural (what a URL names).
  ServedCustomResourcePtr find(const std::string& group, const std::string& plural) const;

 private:
  mutable std::mutex mutex_;
  std::vector<ServedCustomResourcePtr> served_;
  std::function<void(const std::vector<ServedCustomResourcePtr>&)> listener_;
};

}  // namespace skiff::apiserver
