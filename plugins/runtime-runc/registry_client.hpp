// The distribution API v2 for one repository: manifests by tag or digest, blobs into files,
// and the token handshake when the registry answers 401 with `WWW-Authenticate: Bearer realm=…`
// (the token asked for anonymously, for `repository:<name>:pull`). Errors carry the registry's
// own message (its `errors[].message`) and status.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "http_fetch.hpp"
#include "image_reference.hpp"

namespace skiff::runc {

struct Manifest {
  std::string media_type;  // Content-Type, or the document's own mediaType
  std::string body;
  std::string digest;  // of the body
};

// The parameters of a `WWW-Authenticate: Bearer …` challenge (realm, service, scope); empty
// when the header is not a Bearer challenge.
std::map<std::string, std::string> parse_bearer_challenge(const std::string& header);

// The registry's reason for an error response: its `errors[].message` (and code), else the body.
std::string registry_error_message(const HttpResult& result);

class RegistryClient {
 public:
  RegistryClient(ImageReference image, bool plain_http, std::chrono::milliseconds timeout);

  // Throws sdk::Error with the registry's status (404 for an unknown manifest) and message.
  Manifest manifest(const std::string& reference);
  // Writes blob `digest` to `path`; the caller checks the digest.
  void blob(const std::string& digest, const std::string& path);

 private:
  HttpResult get(const std::string& target, std::map<std::string, std::string> headers,
                 const std::string* body_file = nullptr);
  void authenticate(const std::string& challenge);

  ImageReference image_;
  std::string base_;  // http(s)://registry
  std::chrono::milliseconds timeout_;
  std::string token_;
};

}  // namespace skiff::runc
