#include "cri_errors.hpp"

#include <grpcpp/support/status_code_enum.h>

namespace skiff::containerd {

namespace {

bool says_not_found(std::string_view message) {
  return message.find("not found") != std::string_view::npos || message.find("does not exist") != std::string_view::npos;
}

}  // namespace

sdk::Status status_from_cri(int grpc_code, std::string_view message, const std::string& what, const std::string& socket) {
  std::string text = what + ": " + std::string(message);
  switch (static_cast<grpc::StatusCode>(grpc_code)) {
    case grpc::StatusCode::OK:
      return sdk::Status::Ok();
    case grpc::StatusCode::NOT_FOUND:
      return sdk::Status::NotFound(text);
    case grpc::StatusCode::ALREADY_EXISTS:
      return sdk::Status::AlreadyExists(text);
    case grpc::StatusCode::FAILED_PRECONDITION:
      return sdk::Status::Conflict(text);
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return sdk::Status::BadRequest(text);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return sdk::Status::Timeout(text);
    case grpc::StatusCode::UNAVAILABLE:
      return sdk::Status::Unavailable(what + ": containerd does not answer on " + socket + " (" + std::string(message) +
                                      "); start Skiff's containerd with scripts/containerd.sh");
    case grpc::StatusCode::UNIMPLEMENTED:
      return {501, "NotImplemented", text + " (is containerd's CRI plugin disabled in its config?)"};
    default:
      // containerd wraps many lookups as Unknown ("an error occurred when try to find container
      // \"x\": not found"): they are still "no such thing".
      if (says_not_found(message)) return sdk::Status::NotFound(text);
      return {500, "RuntimeError", text};
  }
}

sdk::Status pull_failure(const std::string& image, std::string_view message) {
  return {502, "ErrImagePull", "Failed to pull image \"" + image + "\": " + std::string(message)};
}

sdk::Status never_pull_failure(const std::string& image) {
  return {404, "ErrImageNeverPull", "Container image \"" + image + "\" is not present with pull policy of Never"};
}

}  // namespace skiff::containerd
