// The Status of a failed JetStream call: 503 without JetStream or stream, 504 on a timeout,
// 507 when the stream's storage refuses, 400 for what the server calls a bad request.
#pragma once

#include <nats/nats.h>

#include <string>

#include "nats_error.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::sdk {

inline Status js_status(const std::string& what, natsStatus s, jsErrCode code) {
  std::string message = "JetStream: " + what + ": " + nats_error(s);
  if (code == JSNotEnabledErr || code == JSNotEnabledForAccountErr || s == NATS_NO_RESPONDERS)
    return Status::Unavailable(message + "; the bus has no JetStream (nats-server -js, or `jetstream {}` in its config)");
  if (code == JSStreamNotFoundErr) return Status::Unavailable(message);
  if (s == NATS_TIMEOUT) return Status::Timeout(message);
  if (code == JSStreamStoreFailedErr || code == JSInsufficientResourcesErr) return {507, "InsufficientStorage", message};
  if (s == NATS_INVALID_ARG || code != 0) return Status::BadRequest(message);
  return Status::Unavailable(message);
}

}  // namespace skiff::sdk
