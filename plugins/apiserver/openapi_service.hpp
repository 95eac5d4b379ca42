// Serves /openapi/v2 (JSON, or gnostic protobuf for kubectl) and /openapi/v3 (the index and one
// document per group-version), built once at start and cached with their ETags; 304 on a
// matching If-None-Match, and v3's ?hash= URLs as Kubernetes serves them (immutable while the
// hash matches, a 301 to the current one when it does not).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "http_names.hpp"
#include "openapi_model.hpp"

namespace skiff::apiserver {

class OpenApiService {
 public:
  // Builds the documents of the built-in kinds. version: what /version reports.
  explicit OpenApiService(std::string version);

  // The hook for custom resources: schemas and kinds beyond the built-in ones (a CRD
  // registry's, see openapi_model.hpp), replacing the previous extra set. Rebuilds every
  // document; requests keep getting the old ones until the new ones are ready.
  void set_extra(OpenApiModel extra);

  // Answers /openapi/v2, /openapi/v3 and /openapi/v3/<api/v1 | apis/group/version>; false
  // (nothing sent) for any other path.
  bool handle(const HttpRequest& request, HttpResponder& response) const;

  struct Measurements {
    std::size_t v2_json_bytes = 0;
    std::size_t v2_protobuf_bytes = 0;
    std::size_t definitions = 0;
    std::chrono::microseconds build_time{0};  // model, v2 JSON + protobuf, every v3 document
  };
  Measurements measurements() const;

  struct Body {
    std::string bytes;
    std::string etag;  // the hex SHA-512 of bytes, uppercase, as Kubernetes computes it (unquoted)
  };
  struct Documents {
    Body v2_json;
    Body v2_protobuf;
    Body v3_index;
    std::map<std::string, Body, std::less<>> v3;  // by "api/v1", "apis/apps/v1"
    Measurements measurements;
  };

 private:
  std::shared_ptr<const Documents> documents() const;

  std::string version_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Documents> documents_;
};

// The documents of this model (what OpenApiService caches); exposed for tests and measurements.
std::shared_ptr<const OpenApiService::Documents> build_openapi_documents(const OpenApiModel& model,
                                                                         const std::string& version);

}  // namespace skiff::apiserver
