// Field errors and Status construction in Kubernetes' exact wording.
#include "api_error.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace skiff::apiserver {

std::string quoted(const std::string& text) { return boost::json::serialize(boost::json::string(text)); }

void FieldErrors::add(std::string reason, std::string field, std::string message) {
  api::meta::v1::StatusCause cause;
  cause.set_reason(std::move(reason));
  cause.set_field(std::move(field));
  cause.set_message(std::move(message));
  causes_.push_back(std::move(cause));
}

void FieldErrors::append(const FieldErrors& other) {
  causes_.insert(causes_.end(), other.causes_.begin(), other.causes_.end());
}

void FieldErrors::invalid(const std::string& field, const std::string& value_json, const std::string& detail) {
  add("FieldValueInvalid", field, "Invalid value: " + value_json + (detail.empty() ? "" : ": " + detail));
}

void FieldErrors::required(const std::string& field, const std::string& detail) {
  add("FieldValueRequired", field, "Required value" + (detail.empty() ? "" : ": " + detail));
}

void FieldErrors::unsupported(const std::string& field, const std::string& value,
                              const std::vector<std::string>& supported) {
  unsupported_value(field, quoted(value), supported);
}

void FieldErrors::unsupported_value(const std::string& field, const std::string& value_text,
                                    const std::vector<std::string>& supported) {
  std::string list;
  for (const auto& s : supported) list += (list.empty() ? "" : ", ") + quoted(s);
  add("FieldValueNotSupported", field, "Unsupported value: " + value_text + ": supported values: " + list);
}

void FieldErrors::duplicate(const std::string& field, const std::string& value_json) {
  add("FieldValueDuplicate", field, "Duplicate value: " + value_json);
}

void FieldErrors::forbidden(const std::string& field, const std::string& detail) {
  add("FieldValueForbidden", field, "Forbidden: " + detail);
}

void FieldErrors::too_long(const std::string& field, std::size_t max) {
  add("FieldValueTooLong", field, "Too long: must have at most " + std::to_string(max) + " bytes");
}

void FieldErrors::too_many(const std::string& field, std::size_t actual, std::size_t max) {
  add("FieldValueTooMany", field,
      "Too many: " + std::to_string(actual) + ": must have at most " + std::to_string(max) + (max == 1 ? " item" : " items"));
}

void FieldErrors::throw_if_any(const sdk::ResourceType& type, const std::string& name) const {
  if (causes_.empty()) return;
  std::string qualified_kind = type.group.empty() ? type.kind : type.kind + "." + type.group;
  std::string message = qualified_kind + " " + quoted(name) + " is invalid: ";
  if (causes_.size() > 1) message += "[";
  for (std::size_t i = 0; i < causes_.size(); ++i)
    message += (i ? ", " : "") + causes_[i].field() + ": " + causes_[i].message();
  if (causes_.size() > 1) message += "]";
  api::meta::v1::StatusDetails details;
  details.set_name(name);
  details.set_group(type.group);
  details.set_kind(type.kind);
  for (const auto& cause : causes_) *details.add_causes() = cause;
  throw ApiError(sdk::Status::Invalid(message), details);
}

ApiError not_found(const sdk::ResourceType& type, const std::string& name) {
  api::meta::v1::StatusDetails details;
  details.set_name(name);
  details.set_group(type.group);
  details.set_kind(type.plural);
  return ApiError(sdk::Status::NotFound(type.resource() + " " + quoted(name) + " not found"), details);
}

ApiError from_store(const sdk::Error& error, const sdk::ResourceType& type, const std::string& name) {
  api::meta::v1::StatusDetails details;
  details.set_name(name);
  details.set_group(type.group);
  details.set_kind(type.plural);
  return ApiError(error.status(), details);
}

}  // namespace skiff::apiserver
