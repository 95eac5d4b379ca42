// Errors the API answers with: a Kubernetes Status (code, reason, message) plus details —
// for 422 Invalid the causes, one per field, which kubectl prints.
#pragma once

#include <string>
#include <vector>

#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/sdk/resources.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::apiserver {

class ApiError : public sdk::Error {
 public:
  ApiError(sdk::Status status, api::meta::v1::StatusDetails details = {})
      : sdk::Error(std::move(status)), details_(std::move(details)) {}
  const api::meta::v1::StatusDetails& details() const { return details_; }

 private:
  api::meta::v1::StatusDetails details_;
};

// Collects field errors the way Kubernetes words them:
// "spec.replicas: Invalid value: -1: must be greater than or equal to 0".
class FieldErrors {
 public:
  void invalid(const std::string& field, const std::string& value_json, const std::string& detail);
  void required(const std::string& field, const std::string& detail = "");
  void unsupported(const std::string& field, const std::string& value, const std::vector<std::string>& supported);
  // For a value that is not a string: `value_text` as Kubernetes prints it (Go's %#v).
  void unsupported_value(const std::string& field, const std::string& value_text, const std::vector<std::string>& supported);
  void duplicate(const std::string& field, const std::string& value_json);
  void forbidden(const std::string& field, const std::string& detail);
  void too_long(const std::string& field, std::size_t max);
  // "Too many: 1001: must have at most 1000 items"
  void too_many(const std::string& field, std::size_t actual, std::size_t max);
  void add(std::string reason, std::string field, std::string message);
  // Another collection's causes after these (Kubernetes appends error lists the same way).
  void append(const FieldErrors& other);

  bool empty() const { return causes_.empty(); }
  // Throws 422 Invalid: `Deployment.apps "web" is invalid: <causes>`, with details for kubectl.
  void throw_if_any(const sdk::ResourceType& type, const std::string& name) const;

 private:
  std::vector<api::meta::v1::StatusCause> causes_;
};

// JSON text of a string value, as Kubernetes quotes values in messages.
std::string quoted(const std::string& text);

// 404 "pods \"web\" not found", with details.
ApiError not_found(const sdk::ResourceType& type, const std::string& name);
// A store error (409/404/…) with the API's details attached.
ApiError from_store(const sdk::Error& error, const sdk::ResourceType& type, const std::string& name);

}  // namespace skiff::apiserver
