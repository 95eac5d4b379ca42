// The HTTP API: authentication, discovery, and every resource verb, answered in JSON or as a
// Table, errors as Kubernetes Status objects.
#pragma once

#include <chrono>
#include <string>

#include <spdlog/logger.h>

#include "api_core.hpp"
#include "skiff/api/meta/v1/meta.pb.h"
#include "auth.hpp"
#include "custom_resources.hpp"
#include "rbac_authorizer.hpp"
#include "request_info.hpp"
#include "discovery.hpp"
#include "http_names.hpp"
#include "access_reviews.hpp"
#include "log_api.hpp"
#include "web_ui_route.hpp"
#include "metrics_api.hpp"
#include "openapi_service.hpp"
#include "pod_streams.hpp"
#include "served_versions.hpp"
#include "service_account_api.hpp"
#include "watch_fanout.hpp"

namespace skiff::sdk {
class Bus;
class Subjects;
}  // namespace skiff::sdk

namespace skiff::apiserver {

struct RestOptions {
  ServerVersion version;
  std::string server_address;  // host:port as clients reach it
  std::chrono::milliseconds bookmark_interval{60000};
  std::chrono::seconds max_watch{1800};
};

class RestApi {
 public:
  RestApi(ApiCore& api, WatchFanout& watches, const BearerAuthenticator* tokens, ServiceAccountTokens* service_accounts, sdk::Bus& bus,
          const sdk::Subjects& subjects, sdk::Metrics& metrics, RestOptions options, spdlog::logger& log);
  void handle(const HttpRequest& request, HttpResponder& response);
  void set_server_address(std::string address) { options_.server_address = std::move(address); }
  // /openapi/v2 and /openapi/v3; a CRD registry adds its schemas with openapi().set_extra.
  OpenApiService& openapi() { return openapi_; }
  // Custom resources (CRDs) answer what no built-in type does; unset, none are served.
  void set_custom_resources(CustomResources* custom) { custom_ = custom; }
  // Every request is authorized (after authentication) by `authorizer`, and writes of RBAC
  // objects are checked for escalation; null (the default) allows every authenticated request.
  void set_authorizer(const RbacAuthorizer* authorizer);

 private:
  void handle_resource(const HttpRequest& request, HttpResponder& response, const RequestInfo& info, const UserInfo& user);
  void stream_list(HttpResponder& response, const sdk::ResourceType& type, const VersionedCodec& codec,
                   const ListQuery& query, bool gzip);
  void watch(const HttpRequest& request, HttpResponder& response, const sdk::ResourceType& type,
             const VersionedCodec& codec, const std::string& ns);
  void logs_or_exec(const HttpRequest& request, HttpResponder& response, const std::string& ns, const std::string& pod,
                    const std::string& what);

  ApiCore& api_;
  WatchFanout& watches_;
  const BearerAuthenticator* tokens_;
  const RbacAuthorizer* authorizer_ = nullptr;
  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
  MetricsApi metrics_;
  LogApi podlogs_;  // logging.skiff.io, answered by the logging addon
  WebUiRoute web_ui_;  // /ui/, the dashboard addon's files
  OpenApiService openapi_;
  AccessReviews reviews_;  // auth whoami / can-i
  ServiceAccountApi service_accounts_;  // TokenRequest, TokenReview, OIDC discovery
  sdk::Metrics& own_metrics_;  // served at /metrics
  PodStreams streams_;
  RestOptions options_;
  CustomResources* custom_ = nullptr;
  spdlog::logger& log_;
};

// A Kubernetes Status document for an error (with its details when it has them).
std::string status_json(const sdk::Status& status, const api::meta::v1::StatusDetails* details = nullptr);

}  // namespace skiff::apiserver
