// Request → RequestInfo → resource type → verb. Every failure becomes a Status with its code.
#include "rest_api.hpp"

#include <optional>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "custom_resource_discovery.hpp"
#include "eviction.hpp"
#include "field_tracking.hpp"
#include "managed_fields.hpp"
#include "object_codec.hpp"
#include "patch.hpp"
#include "request_credentials.hpp"
#include "rbac_escalation.hpp"
#include "rbac_validation.hpp"
#include "request_info.hpp"
#include "served_versions.hpp"
#include "server_side_apply.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/gzip.hpp"
#include "skiff/sdk/k8s_json.hpp"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/subjects.hpp"
#include "tables.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kJson = "application/json";

bool wants_table(const HttpRequest& request) {
  return request.header("Accept").find("as=Table") != std::string::npos;
}

HeaderList warning_headers(const std::vector<std::string>& warnings) {
  HeaderList headers;
  for (const auto& w : warnings) headers.emplace_back("Warning", "299 - " + quoted(w));
  return headers;
}

void send_json(HttpResponder& response, unsigned status, const json::value& body, const HeaderList& headers = {}) {
  response.send(status, kJson, json::serialize(body), headers);
}

TableOptions table_options(const HttpRequest& request, const VersionedCodec& codec, const std::string& resource_version,
                           const std::string& next) {
  TableOptions options;
  options.encode = [&codec](const google::protobuf::Message& object) { return codec.encode(object); };
  options.include_object = request.has_query("includeObject") ? request.query_value("includeObject") : "Metadata";
  options.resource_version = resource_version;
  options.continue_token = next;
  return options;
}

// One object, as JSON or as a one-row Table.
void send_object(const HttpRequest& request, HttpResponder& response, unsigned status, const sdk::ResourceType& type,
                 const VersionedCodec& codec, const MessagePtr& object, const std::vector<std::string>& warnings = {}) {
  if (wants_table(request) && request.method == boost::beast::http::verb::get) {
    send_json(response, status,
              render_table(type, {object}, table_options(request, codec, sdk::meta_of(*object).resource_version(), "")),
              warning_headers(warnings));
    return;
  }
  send_json(response, status, codec.encode(*object), warning_headers(warnings));
}

sdk::LabelSelector parse_labels(const HttpRequest& request) {
  return sdk::LabelSelector::parse(request.query_value("labelSelector"));
}

DeleteOptions delete_options(const HttpRequest& request) {
  DeleteOptions options;
  if (!request.body.empty()) options = delete_options_from(parse_body(request.body, request.header("Content-Type")));
  if (request.has_query("gracePeriodSeconds")) options.grace_period_seconds = std::stoll(request.query_value("gracePeriodSeconds"));
  if (request.has_query("propagationPolicy")) options.propagation_policy = request.query_value("propagationPolicy");
  const std::vector<std::string> policies = {"", "Background", "Foreground", "Orphan"};
  if (std::find(policies.begin(), policies.end(), options.propagation_policy) == policies.end())
    throw ApiError(sdk::Status::BadRequest("propagationPolicy \"" + options.propagation_policy +
                                           "\" is not one of Background, Foreground, Orphan"));
  return options;
}

WriteOptions write_options(const HttpRequest& request) {
  WriteOptions options;
  options.dry_run = request.query_value("dryRun") == "All";
  options.field_manager = request.query_value("fieldManager");
  return options;
}

// A write whose field ownership is recorded (operation Update) under its manager.
WriteOptions tracked_write(const HttpRequest& request, const sdk::ResourceType& type, const std::string& subresource) {
  WriteOptions options = write_options(request);
  options.track_fields =
      track_update_fields(type, manager_name(options.field_manager, request.header("User-Agent")), subresource);
  return options;
}

ApplyRequest apply_request(const HttpRequest& request, const RequestInfo& info, const std::string& subresource) {
  ApplyRequest apply{info.namespace_, info.name, subresource, request.query_value("fieldManager"),
                     request.query_value("force") == "true", request.query_value("fieldValidation"), write_options(request)};
  return apply;
}

json::object list_document(const sdk::ResourceType& type, const VersionedCodec& codec, const ListResult& result) {
  json::object list;
  list["kind"] = type.kind + "List";
  list["apiVersion"] = codec.api_version();
  json::object meta;
  meta["resourceVersion"] = result.resource_version;
  if (!result.continue_token.empty()) meta["continue"] = result.continue_token;
  list["metadata"] = std::move(meta);
  json::array items;
  items.reserve(result.items.size());
  for (const auto& item : result.items) items.push_back(codec.encode(*item));
  list["items"] = std::move(items);
  return list;
}

// Who calls an API run without authentication: it may do everything.
UserInfo unsecured_user() { return {"system:unsecured", "", {kMastersGroup}}; }

}  // namespace

std::string status_json(const sdk::Status& status, const api::meta::v1::StatusDetails* details) {
  json::object s;
  s["kind"] = "Status";
  s["apiVersion"] = "v1";
  s["metadata"] = json::object{};
  s["status"] = status.ok() ? "Success" : "Failure";
  s["message"] = status.message;
  s["reason"] = status.reason;
  if (details) s["details"] = sdk::to_k8s_json(*details);
  s["code"] = status.code;
  return json::serialize(s);
}

RestApi::RestApi(ApiCore& api, WatchFanout& watches, const BearerAuthenticator* tokens, ServiceAccountTokens* service_accounts, sdk::Bus& bus,
                 const sdk::Subjects& subjects, sdk::Metrics& metrics, RestOptions options, spdlog::logger& log)
    : api_(api),
      watches_(watches),
      tokens_(tokens),
      bus_(bus),
      subjects_(subjects),
      metrics_(bus, subjects),
      podlogs_(bus, subjects),
      web_ui_(bus, subjects),
      openapi_(options.version.git_version),
      reviews_(tokens),
      service_accounts_(service_accounts, tokens),
      own_metrics_(metrics),
      streams_(bus, subjects, metrics, log),
      options_(std::move(options)),
      log_(log) {
  auto built = openapi_.measurements();
  log_.info("OpenAPI documents built in {} ms: {} definitions, /openapi/v2 {} bytes JSON, {} bytes protobuf",
            built.build_time.count() / 1000.0, built.definitions, built.v2_json_bytes, built.v2_protobuf_bytes);
}

void RestApi::set_authorizer(const RbacAuthorizer* authorizer) {
  authorizer_ = authorizer;
  reviews_.set_authorizer(authorizer);
}

void RestApi::handle(const HttpRequest& request, HttpResponder& response) {
  try {
    const std::string& path = request.path;
    bool public_path = path == "/version" || path == "/healthz" || path == "/livez" || path == "/readyz" ||
                       path.rfind("/healthz/", 0) == 0 || path.rfind("/livez/", 0) == 0 || path.rfind("/readyz/", 0) == 0;
    // The Web UI's files load without a token; the app then sends one with every API request.
    if (is_web_ui_path(path)) return web_ui_.handle(request, response);
    std::optional<UserInfo> user = tokens_ ? tokens_->authenticate(authorization_of(request)) : std::optional(unsecured_user());
    if (!user && !public_path) {
      response.send(401, kJson, status_json(sdk::Status::Unauthorized("Unauthorized")));
      return;
    }
    UserInfo caller = user ? authenticated_user(*user) : anonymous_user();
    RequestInfo info = parse_request_info(request);
    if (authorizer_) {
      AuthorizationAttributes attributes = request_attributes(request, info, caller);
      Decision decision = authorizer_->authorize(attributes);
      if (!decision.allowed) throw forbidden(attributes, decision.reason);
    }
    if (path == "/version") return send_json(response, 200, version_document(options_.version));
    if (path == "/healthz" || path == "/livez" || path == "/readyz" || path.rfind("/healthz/", 0) == 0 ||
        path.rfind("/livez/", 0) == 0 || path.rfind("/readyz/", 0) == 0)
      return response.send(200, "text/plain; charset=utf-8", "ok");
    if (path == "/metrics")
      return response.send(200, "text/plain; version=0.0.4; charset=utf-8", own_metrics_.prometheus_text());
    if (path == "/api" || path == "/api/") return send_json(response, 200, api_versions_document(options_.server_address));
    if (path == "/apis" || path == "/apis/") {
      json::value groups = api_group_list_document(metrics_.available(), podlogs_.available());
      if (custom_) add_custom_groups(custom_->registry(), groups.at("groups").as_array());
      return send_json(response, 200, groups);
    }
    if (service_accounts_.serve_discovery(request, response, options_.server_address)) return;
    if (openapi_.handle(request, response)) return;
    handle_resource(request, response, info, caller);
  } catch (const ApiError& e) {
    if (!response.sent()) response.send(e.status().code, kJson, status_json(e.status(), &e.details()));
  } catch (const sdk::Error& e) {
    if (!response.sent()) response.send(e.status().code, kJson, status_json(e.status()));
  }
}

void RestApi::handle_resource(const HttpRequest& request, HttpResponder& response, const RequestInfo& info,
                              const UserInfo& user) {
  auto not_found = [&] {
    response.send(404, kJson, status_json(sdk::Status::NotFound("the server could not find the requested resource")));
  };
  if (info.group == kMetricsGroup) return metrics_.handle(info, request, response);
  if (info.group == kLoggingGroup) return podlogs_.handle(info, request, response);
  if (info.group == kAuthenticationGroup && info.resource == "tokenreviews" && info.verb == "create")
    return service_accounts_.review(request, response);
  if (info.group == kAuthenticationGroup || info.group == kAuthorizationGroup)
    return reviews_.handle(info, request, response);
  if (!info.is_resource) {
    json::value doc = info.version.empty() ? json::value(nullptr) : api_resource_list_document(info.group, info.version);
    if (doc.is_null() && custom_) {
      // /apis/<group> (the request info names no group there): the custom group's APIGroup.
      std::string group = request.path.rfind("/apis/", 0) == 0 ? request.path.substr(6) : "";
      if (!group.empty() && group.back() == '/') group.pop_back();
      doc = info.version.empty() ? custom_group_document(custom_->registry(), group)
                                 : custom_resource_list(custom_->registry(), info.group, info.version);
    }
    if (doc.is_null()) return not_found();
    return send_json(response, 200, doc);
  }
  const sdk::ResourceType* found = sdk::find_resource_by_plural(info.group, info.resource);
  const ServedVersion* served = nullptr;
  if (found && found->version != info.version) {
    served = find_served_version(info.group, info.version, info.resource);
    if (!served) return not_found();
  }
  if (!found && custom_ && custom_->handle(info, request, response)) return;
  if (!found) return not_found();
  const sdk::ResourceType& type = *found;
  const VersionedCodec codec(type, served);
  if (!type.namespaced && !info.namespace_.empty() && info.resource != "namespaces") return not_found();
  const std::string& ns = info.namespace_;
  const std::string& sub = info.subresource;
  std::vector<std::string> warnings;
  std::string validation = request.query_value("fieldValidation");
  WriteOptions writes = write_options(request);
  if (authorizer_ && type.group == kRbacGroup)
    writes.admit = [this, &user](const google::protobuf::Message& object) { check_no_escalation(*authorizer_, user, object); };
  auto guarded = [&writes](WriteOptions options) {  // field tracking, and RBAC's escalation check
    options.admit = writes.admit;
    return options;
  };

  if (!sub.empty()) {
    if (type.kind == "Pod" && (sub == "log" || sub == "exec" || sub == "attach" || sub == "portforward"))
      return logs_or_exec(request, response, ns, info.name, sub);
    if (sub == "scale" && (type.kind == "Deployment" || type.kind == "ReplicaSet" || type.kind == "StatefulSet")) {
      if (info.verb == "get") return send_json(response, 200, scale_of(type, *api_.get(type, ns, info.name)));
      if (info.verb != "update" && info.verb != "patch") return not_found();
      json::value body = parse_body(request.body, request.header("Content-Type"));
      MessagePtr updated = api_.modify(type, ns, info.name, [&](const google::protobuf::Message& current) {
        json::value scale = scale_of(type, current);
        if (info.verb == "patch") {
          PatchType kind = patch_type_of(request.header("Content-Type"));
          scale = kind == PatchType::Json ? apply_json_patch(std::move(scale), body) : apply_merge_patch(std::move(scale), body);
        } else {
          const auto* rv = body.is_object() && body.as_object().contains("metadata")
                               ? body.at("metadata").as_object().if_contains("resourceVersion")
                               : nullptr;
          if (rv && rv->is_string() && !rv->as_string().empty() && rv->as_string() != sdk::meta_of(current).resource_version())
            throw ApiError(sdk::Status::Conflict("Operation cannot be fulfilled on " + type.resource() + " " +
                                                 quoted(info.name) + ": the object has been modified; please apply "
                                                 "your changes to the latest version and try again"));
          scale = body;
        }
        MessagePtr next(current.New());
        next->CopyFrom(current);
        set_replicas(*next, replicas_from_scale(scale));
        return next;
      }, "", guarded(tracked_write(request, type, "scale")));
      return send_json(response, 200, scale_of(type, *updated));
    }
    if (sub == "token" && type.kind == "ServiceAccount" && info.verb == "create")
      return service_accounts_.request_token(ns, info.name, request, response);
    if (sub == "eviction" && type.kind == "Pod" && info.verb == "create")
      return send_json(response, 201, evict_pod(api_, ns, info.name, parse_body(request.body, request.header("Content-Type"))));
    if (sub == "binding" && type.kind == "Pod" && info.verb == "create") {
      json::value body = parse_body(request.body, request.header("Content-Type"));
      const json::value* target = body.is_object() ? body.as_object().if_contains("target") : nullptr;
      const json::value* node = target && target->is_object() ? target->as_object().if_contains("name") : nullptr;
      std::string uid;
      if (const auto* meta = body.is_object() ? body.as_object().if_contains("metadata") : nullptr; meta && meta->is_object())
        if (const auto* u = meta->as_object().if_contains("uid"); u && u->is_string()) uid = std::string(u->as_string());
      api_.bind(ns, info.name, node && node->is_string() ? std::string(node->as_string()) : "", uid);
      json::object ok;
      ok["kind"] = "Status";
      ok["apiVersion"] = "v1";
      ok["metadata"] = json::object{};
      ok["status"] = "Success";
      ok["code"] = 201;
      return send_json(response, 201, ok);
    }
    bool ephemeral = sub == "ephemeralcontainers" && type.kind == "Pod";
    if (sub != "status" && !ephemeral && !(sub == "finalize" && type.kind == "Namespace")) return not_found();
    if (ephemeral && info.verb != "get" && info.verb != "update" && info.verb != "patch")
      return response.send(405, kJson, status_json({405, "MethodNotAllowed",
                                                    "the server does not allow this method on the requested resource"}));
  }
  std::string effective_sub = sub == "finalize" ? "" : sub;

  if (info.verb == "get") return send_object(request, response, 200, type, codec, api_.get(type, ns, info.name));
  if (info.verb == "list") {
    ListQuery query;
    query.namespace_ = ns;
    query.label_selector = request.query_value("labelSelector");
    query.field_selector = request.query_value("fieldSelector");
    query.continue_token = request.query_value("continue");
    if (request.has_query("limit")) query.limit = std::stoll(request.query_value("limit"));
    bool gzip = sdk::accepts_gzip(request.header("Accept-Encoding"));
    if (!wants_table(request) && query.limit <= 0) return stream_list(response, type, codec, query, gzip);
    ListResult result = api_.list(type, query);
    if (wants_table(request))
      return send_json(response, 200,
                       render_table(type, result.items, table_options(request, codec, result.resource_version, result.continue_token)));
    return send_json(response, 200, list_document(type, codec, result));
  }
  if (info.verb == "watch") return watch(request, response, type, codec, ns);
  if (info.verb == "create") {
    json::value body = parse_body(request.body, request.header("Content-Type"));
    MessagePtr object = codec.decode(body, validation, warnings);
    if (type.namespaced && ns.empty()) return not_found();
    return send_object(request, response, 201, type, codec, api_.create(type, ns, object, guarded(tracked_write(request, type, ""))),
                       warnings);
  }
  if (info.verb == "update") {
    json::value body = parse_body(request.body, request.header("Content-Type"));
    MessagePtr object = codec.decode(body, validation, warnings);
    return send_object(request, response, 200, type, codec,
                       api_.update(type, ns, info.name, object, effective_sub, guarded(tracked_write(request, type, effective_sub))),
                       warnings);
  }
  if (info.verb == "patch") {
    PatchType kind = patch_type_of(request.header("Content-Type"));
    json::value patch = parse_body(request.body, kind == PatchType::Apply ? "application/yaml" : kJson);
    if (kind == PatchType::Apply && !served) {
      ApplyRequest apply = apply_request(request, info, effective_sub);
      apply.options.admit = writes.admit;
      ApplyOutcome applied = server_side_apply(api_, type, patch, apply, warnings);
      return send_object(request, response, applied.created ? 201 : 200, type, codec, applied.object, warnings);
    }
    if (kind == PatchType::Apply) {  // a served-only version: merged, owned as an update
      if (request.query_value("fieldManager").empty())
        throw ApiError(sdk::Status::BadRequest("PATCH requests with application/apply-patch+yaml require a fieldManager"));
      try {
        api_.get(type, ns, info.name);
      } catch (const ApiError& e) {
        if (e.status().code != 404) throw;
        // Server-side apply creates what does not exist yet.
        MessagePtr object = codec.decode(patch, validation, warnings);
        if (sdk::meta_of(*object).name().empty()) sdk::mutable_meta_of(*object)->set_name(info.name);
        return send_object(request, response, 201, type, codec, api_.create(type, ns, object, writes), warnings);
      }
    }
    MessagePtr updated = api_.modify(type, ns, info.name, [&](const google::protobuf::Message& current) {
      warnings.clear();
      return codec.patch(current, kind, patch, validation, warnings);
    }, effective_sub, guarded(tracked_write(request, type, effective_sub)));
    return send_object(request, response, 200, type, codec, updated, warnings);
  }
  if (info.verb == "delete") {
    DeleteResult result = api_.erase(type, ns, info.name, delete_options(request), request.query_value("dryRun") == "All");
    return send_object(request, response, 200, type, codec, result.object);
  }
  if (info.verb == "deletecollection") {
    ListQuery query;
    query.namespace_ = ns;
    query.label_selector = request.query_value("labelSelector");
    query.field_selector = request.query_value("fieldSelector");
    DeleteOptions options = delete_options(request);
    ListResult result = api_.list(type, query);
    for (const auto& item : result.items) {
      try {
        api_.erase(type, sdk::meta_of(*item).namespace_(), sdk::meta_of(*item).name(), options);
      } catch (const ApiError& e) {
        if (e.status().code != 404) throw;
      }
    }
    return response.send(200, kJson, status_json(sdk::Status::Ok()));
  }
  response.send(405, kJson,
                status_json({405, "MethodNotAllowed", "the server does not allow this method on the requested resource"}));
}

// A whole list is written as it is read, a store page at a time (as Kubernetes 1.33 streams
// JSON lists): memory stays at one page however many objects there are. A store failure
// after the first page can no longer become a Status; the connection is dropped instead.
void RestApi::stream_list(HttpResponder& response, const sdk::ResourceType& type, const VersionedCodec& codec,
                          const ListQuery& query, bool gzip) {
  constexpr std::size_t kChunk = 64 * 1024;
  std::string buffer;
  bool first_item = true, started = false;
  std::optional<sdk::GzipStream> packer;
  // The stream starts once the list is known to be large (gzipped for a client that accepts it)
  // or complete (plain).
  auto flush = [&](bool last) {
    if (!started) {
      if (!last && buffer.size() < sdk::kGzipWorthFrom) return true;
      HeaderList headers;
      if (gzip && buffer.size() >= sdk::kGzipWorthFrom) {
        packer.emplace();
        headers = {{"Content-Encoding", "gzip"}, {"Vary", "Accept-Encoding"}};
      }
      if (!response.begin_stream(200, kJson, headers)) return false;
      started = true;
    }
    std::string out = packer ? packer->add(buffer) : buffer;
    if (last && packer) out += packer->finish();
    buffer.clear();
    return out.empty() || response.write_chunk(out);
  };
  api_.list_pages(type, query, [&](std::vector<MessagePtr>& items, const std::string& resource_version) {
    if (buffer.empty() && first_item) {
      json::object meta{{"resourceVersion", resource_version}};
      buffer = R"({"kind":")" + type.kind + R"(List","apiVersion":")" + codec.api_version() +
               R"(","metadata":)" + json::serialize(meta) + R"(,"items":[)";
    }
    for (auto& item : items) {
      if (!first_item) buffer += ',';
      first_item = false;
      buffer += json::serialize(codec.encode(*item));
      item.reset();
      if (buffer.size() >= kChunk && !flush(false)) throw std::runtime_error("client left");
    }
  });
  buffer += "]}";
  flush(true);
  response.end_stream();
}

void RestApi::watch(const HttpRequest& request, HttpResponder& response, const sdk::ResourceType& type,
                    const VersionedCodec& codec, const std::string& ns) {
  WatchFilter filter;
  filter.namespace_ = ns;
  filter.labels = parse_labels(request);
  filter.fields = sdk::FieldSelector::parse(request.query_value("fieldSelector"), type.descriptor);
  bool table = wants_table(request);
  bool bookmarks = request.query_value("allowWatchBookmarks") == "true" || request.query_value("allowWatchBookmarks") == "True";
  auto limit = options_.max_watch;
  if (request.has_query("timeoutSeconds"))
    limit = std::min(limit, std::chrono::seconds(std::stoll(request.query_value("timeoutSeconds"))));
  auto deadline = Clock::now() + limit;

  std::shared_ptr<Watcher> watcher;
  try {
    watcher = watches_.watch(type, filter, request.query_value("resourceVersion"));
  } catch (const ApiError& e) {
    if (e.status().code != 410) throw;
    // As Kubernetes does: the stream opens, carries one ERROR event, and ends.
    response.begin_stream(200, kJson);
    response.write_chunk("{\"type\":\"ERROR\",\"object\":" + status_json(e.status()) + "}\n");
    response.end_stream();
    return;
  }
  struct Unwatch {
    WatchFanout& fanout;
    const sdk::ResourceType& type;
    std::shared_ptr<Watcher> watcher;
    ~Unwatch() { fanout.unwatch(type, watcher); }
  } unwatch{watches_, type, watcher};

  if (!response.begin_stream(200, kJson)) return;
  bool columns_sent = false;
  auto last_bookmark = Clock::now();
  while (Clock::now() < deadline) {
    std::optional<WatchEvent> event;
    try {
      event = watcher->next(std::chrono::milliseconds(1000));
    } catch (const ApiError& e) {
      response.write_chunk("{\"type\":\"ERROR\",\"object\":" + status_json(e.status()) + "}\n");
      break;
    }
    if (!event) {
      if (response.peer_closed()) return;
      if (bookmarks && Clock::now() - last_bookmark >= options_.bookmark_interval) {
        json::object object;
        object["kind"] = type.kind;
        object["apiVersion"] = codec.api_version();
        object["metadata"] = json::object{{"resourceVersion", std::to_string(watcher->last_revision())}};
        if (!response.write_chunk("{\"type\":\"BOOKMARK\",\"object\":" + json::serialize(object) + "}\n")) return;
        last_bookmark = Clock::now();
      }
      continue;
    }
    json::value object;
    if (table) {
      TableOptions options = table_options(request, codec, std::to_string(event->revision), "");
      options.include_columns = !columns_sent;
      columns_sent = true;
      object = render_table(type, {event->object}, options);
    } else {
      object = codec.encode(*event->object);
    }
    json::object envelope;
    envelope["type"] = event->type;
    envelope["object"] = std::move(object);
    if (!response.write_chunk(json::serialize(envelope) + "\n")) return;
  }
  response.end_stream();
}

void RestApi::logs_or_exec(const HttpRequest& request, HttpResponder& response, const std::string& ns,
                           const std::string& pod_name, const std::string& what) {
  const sdk::ResourceType& pods = *sdk::find_resource("pods");
  auto object = api_.get(pods, ns, pod_name);
  const auto& pod = static_cast<const api::core::v1::Pod&>(*object);
  if (what != "log" && what != "exec" && what != "attach" && what != "portforward")
    throw ApiError(sdk::Status::NotFound("pods/" + what + " is not served (pods/log, exec, attach and portforward are)"));
  if (pod.spec().node_name().empty())
    throw ApiError(sdk::Status::BadRequest("pod " + pod_name + " does not have a host assigned"));
  if (what == "log") return streams_.logs(request, response, pod);
  if (what == "portforward") return streams_.port_forward(request, response, pod);
  if (what == "attach") return streams_.attach(request, response, pod);
  streams_.exec(request, response, pod);
}

}  // namespace skiff::apiserver
