// A CRD version's openAPIV3Schema applied to custom objects as Kubernetes does: validation
// naming each field in its words, defaults, and pruning of the fields the schema does not name.
#pragma once

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "api_error.hpp"

namespace skiff::apiserver {

class StructuralSchema {
 public:
  // `schema`: the openAPIV3Schema document; null accepts and keeps anything.
  explicit StructuralSchema(boost::json::value schema = nullptr);

  // Adds a cause per field that breaks the schema ("spec.replicas: Invalid value: …").
  // `object` is the whole custom object; apiVersion, kind and metadata are not checked here.
  void validate(const boost::json::value& object, FieldErrors& errors) const;
  // Fills absent fields that have a default (recursively, as Kubernetes' structural defaulting).
  void apply_defaults(boost::json::value& object) const;
  // Removes fields the schema does not name (unless x-kubernetes-preserve-unknown-fields) and
  // returns their paths ("spec.extra"), which fieldValidation reports.
  std::vector<std::string> prune(boost::json::value& object) const;

  const boost::json::value& document() const { return schema_; }

 private:
  boost::json::value schema_;
};

// The JSON type name of a value as Kubernetes' messages name it: string, integer, number,
// boolean, object, array, null.
std::string json_type_name(const boost::json::value& value);

}  // namespace skiff::apiserver
