// Label values are bounded (a scraper must not be flooded by whatever URLs clients send):
// resources the server does not serve, and subresources it does not know, become "other".
#include "request_metrics.hpp"

#include <array>
#include <set>

#include "metrics_api.hpp"
#include "request_info.hpp"
#include "skiff/sdk/resources.hpp"

namespace skiff::apiserver {
namespace {

constexpr const char* kOther = "other";

// kube-apiserver's apiserver_request_duration_seconds buckets.
const std::vector<double>& duration_buckets() {
  static const std::vector<double> buckets = {0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2,
                                              3,     4,     5,    6,   8,   10,  15,  20,  30,  45,  60};
  return buckets;
}

bool is_connect(const std::string& subresource) {
  return subresource == "exec" || subresource == "attach" || subresource == "portforward" || subresource == "proxy";
}

bool known_subresource(const std::string& subresource) {
  static const std::set<std::string> known = {"status", "scale",       "log",   "exec",     "attach",
                                              "portforward", "binding", "eviction", "ephemeralcontainers",
                                              "finalize", "proxy",      "approval", "token"};
  return subresource.empty() || known.contains(subresource);
}

bool served(const RequestInfo& info) {
  if (info.group == kMetricsGroup) return info.version == "v1beta1" && (info.resource == "nodes" || info.resource == "pods");
  const sdk::ResourceType* type = sdk::find_resource_by_plural(info.group, info.resource);
  return type && type->version == info.version;
}

// As kube-apiserver's route verbs: create is POST, update PUT, a server-side apply APPLY.
std::string resource_verb(const RequestInfo& info, const HttpRequest& request) {
  if (is_connect(info.subresource)) return "CONNECT";
  if (info.verb == "get") return "GET";
  if (info.verb == "list") return "LIST";
  if (info.verb == "watch") return "WATCH";
  if (info.verb == "create") return "POST";
  if (info.verb == "update") return "PUT";
  if (info.verb == "patch")
    return request.header("Content-Type").rfind("application/apply-patch", 0) == 0 ? "APPLY" : "PATCH";
  if (info.verb == "delete") return "DELETE";
  if (info.verb == "deletecollection") return "DELETECOLLECTION";
  return kOther;
}

std::string method_verb(const HttpRequest& request) {
  static const std::set<std::string> methods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  return methods.contains(request.method_text) ? request.method_text : kOther;
}

std::string scope_of(const RequestInfo& info) {
  if (!info.name.empty() || info.verb == "create") return "resource";
  if (!info.namespace_.empty()) return "namespace";
  return "cluster";
}

}  // namespace

RequestLabels request_labels(const HttpRequest& request) {
  RequestInfo info = parse_request_info(request);
  RequestLabels labels;
  if (!info.is_resource) {
    labels.verb = method_verb(request);
    return labels;
  }
  labels.verb = resource_verb(info, request);
  labels.scope = scope_of(info);
  if (!served(info)) {
    labels.group = labels.version = labels.resource = kOther;
    return labels;
  }
  labels.group = info.group;
  labels.version = info.version;
  labels.resource = info.resource;
  labels.subresource = known_subresource(info.subresource) ? info.subresource : kOther;
  return labels;
}

void record_request(sdk::Metrics& metrics, const HttpRequest& request, unsigned status,
                    std::chrono::steady_clock::duration elapsed) {
  std::string code = std::to_string(status);
  metrics
      .counter("skiff_apiserver_requests_total", "HTTP requests answered, by method and status code",
               {{"method", std::string(boost::beast::http::to_string(request.method))}, {"code", code}})
      .inc();
  RequestLabels l = request_labels(request);
  sdk::Labels labels = {{"verb", l.verb},     {"group", l.group},           {"version", l.version},
                        {"resource", l.resource}, {"subresource", l.subresource}, {"scope", l.scope},
                        {"component", "apiserver"}};
  metrics.histogram("apiserver_request_duration_seconds",
                    "Response latency distribution in seconds for each verb, group, version, resource, subresource, "
                    "scope and component.",
                    duration_buckets(), labels)
      .observe(std::chrono::duration<double>(elapsed).count());
  labels.emplace_back("code", code);
  metrics
      .counter("apiserver_request_total",
               "Counter of apiserver requests broken out for each verb, group, version, resource, subresource, scope, "
               "component, and HTTP response code.",
               labels)
      .inc();
}

}  // namespace skiff::apiserver
