// Status: the one error shape used on the bus and mapped 1:1 to a Kubernetes Status object.
#pragma once

#include <stdexcept>
#include <string>

namespace skiff::sdk {

// code is an HTTP status code, reason a Kubernetes StatusReason ("NotFound", "Conflict" …).
struct Status {
  int code = 200;
  std::string reason;
  std::string message;

  bool ok() const { return code >= 200 && code < 300; }

  static Status Ok() { return {}; }
  static Status BadRequest(std::string message) { return {400, "BadRequest", std::move(message)}; }
  static Status Unauthorized(std::string message) { return {401, "Unauthorized", std::move(message)}; }
  static Status Forbidden(std::string message) { return {403, "Forbidden", std::move(message)}; }
  static Status NotFound(std::string message) { return {404, "NotFound", std::move(message)}; }
  static Status Conflict(std::string message) { return {409, "Conflict", std::move(message)}; }
  static Status AlreadyExists(std::string message) { return {409, "AlreadyExists", std::move(message)}; }
  static Status Gone(std::string message) { return {410, "Expired", std::move(message)}; }
  static Status Invalid(std::string message) { return {422, "Invalid", std::move(message)}; }
  static Status TooManyRequests(std::string message) { return {429, "TooManyRequests", std::move(message)}; }
  static Status Internal(std::string message) { return {500, "InternalError", std::move(message)}; }
  static Status NotImplemented(std::string message) { return {501, "NotImplemented", std::move(message)}; }
  static Status Unavailable(std::string message) { return {503, "ServiceUnavailable", std::move(message)}; }
  static Status Timeout(std::string message) { return {504, "Timeout", std::move(message)}; }
};

// Thrown by SDK calls that fail; carries the Status so callers can branch on code/reason.
class Error : public std::runtime_error {
 public:
  explicit Error(Status status) : std::runtime_error(status.message), status_(std::move(status)) {}
  const Status& status() const { return status_; }

 private:
  Status status_;
};

}  // namespace skiff::sdk
