// The HTTP API: authentication, discovery, and every resource verb, answered in JSON or as a
// Table, errors as Kubernetes Status objects.
#pragma once

#include <chrono>
#include <string>

#include <spdlog/logger.h>

#include "api_core.hpp"
#include "skiff/api/meta/v1/meta.pb.h"
#include "auth.hpp"
#include "rbac_authorizer.hpp"
#include "request_info.hpp"
#include "discovery.hpp"
#include "http_names.hpp"
#include "access_reviews.hpp"
#include "log_api.hpp"
#include "web_ui_route.hpp"
#include "metrics_api.hpp"
#include "pod_streams.hpp"
#include "served_versions.hpp"
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
  RestApi(ApiCore& api, WatchFanout& watches, const TokenAuthenticator* tokens, sdk::Bus& bus,
          const sdk::Subjects& subjects, sdk::Metrics& metrics, RestOptions options, spdlog::logger& log);
  void handle(const HttpRequest& request, HttpResponder& response);
  void set_server_address(std::string address) { options_.server_address = std::move(address); }
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
  const TokenAuthenticator* tokens_;
  const RbacAuthorizer* authorizer_ = nullptr;
  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
  MetricsApi metrics_;
  LogApi podlogs_;  // logging.skiff.io, answered by the logging addon
  WebUiRoute web_ui_;  // /ui/, the dashboard addon's files
  AccessReviews reviews_;  // auth whoami / can-i
  sdk::Metrics& own_metrics_;  // served at /metrics
  PodStreams streams_;
  RestOptions options_;
  spdlog::logger& log_;
};

// A Kubernetes Status document for an error (with its details when it has them).
std::string status_json(const sdk::Status& status, const api::meta::v1::StatusDetails* details = nullptr);

}  // namespace skiff::apiserver
