// One call = the CRD snapshot, the version the URL names, and the request. Errors are thrown
// as ApiError and become Status documents in RestApi::handle.
#include "custom_resources.hpp"

#include <boost/json.hpp>

#include "api_error.hpp"
#include "custom_object_codec.hpp"
#include "custom_resource_tables.hpp"
#include "eviction.hpp"
#include "object_codec.hpp"
#include "patch.hpp"
#include "rest_api.hpp"
#include "skiff/api/apiextensions/v1/apiextensions.pb.h"
#include "skiff/sdk/custom_resource_types.hpp"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/selector.hpp"

namespace skiff::apiserver {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

struct CustomResources::Call {
  const RequestInfo& info;
  const HttpRequest& request;
  HttpResponder& response;
  ServedCustomResourcePtr crd;
  const CustomResourceVersion& version;
  std::vector<std::string> warnings;

  const sdk::ResourceType& type() const { return crd->type; }
  json::object view(const google::protobuf::Message& stored) const {
    return custom_object_to_json(*crd, stored, version.name);
  }
};

namespace {

constexpr const char* kJson = "application/json";

bool wants_table(const HttpRequest& request) { return request.header("Accept").find("as=Table") != std::string::npos; }

HeaderList warning_headers(const std::vector<std::string>& warnings) {
  HeaderList headers;
  for (const auto& w : warnings) headers.emplace_back("Warning", "299 - " + quoted(w));
  return headers;
}

void send_json(HttpResponder& response, unsigned status, const json::value& body, const HeaderList& headers = {}) {
  response.send(status, kJson, json::serialize(body), headers);
}

WriteOptions write_options(const HttpRequest& request) {
  WriteOptions options;
  options.dry_run = request.query_value("dryRun") == "All";
  options.field_manager = request.query_value("fieldManager");
  return options;
}

DeleteOptions delete_options(const HttpRequest& request) {
  DeleteOptions options;
  if (!request.body.empty()) options = delete_options_from(parse_body(request.body, request.header("Content-Type")));
  if (request.has_query("gracePeriodSeconds")) options.grace_period_seconds = std::stoll(request.query_value("gracePeriodSeconds"));
  if (request.has_query("propagationPolicy")) options.propagation_policy = request.query_value("propagationPolicy");
  return options;
}

ListQuery list_query(const HttpRequest& request, const std::string& ns) {
  ListQuery query;
  query.namespace_ = ns;
  query.label_selector = request.query_value("labelSelector");
  query.field_selector = request.query_value("fieldSelector");
  query.continue_token = request.query_value("continue");
  if (request.has_query("limit")) query.limit = std::stoll(request.query_value("limit"));
  return query;
}

const json::value* member(const json::object& object, std::initializer_list<const char*> path) {
  const json::value* at = nullptr;
  const json::object* in = &object;
  for (const char* key : path) {
    if (!in) return nullptr;
    at = in->if_contains(key);
    if (!at) return nullptr;
    in = at->is_object() ? &at->as_object() : nullptr;
  }
  return at;
}

std::string string_member(const json::object& object, std::initializer_list<const char*> path) {
  const json::value* v = member(object, path);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

// Sets a field named by a simple path (".spec.replicas"), making the objects on the way.
void set_at(json::object& object, const std::string& path, json::value value) {
  json::object* at = &object;
  std::size_t start = path.starts_with('.') ? 1 : 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      (*at)[key] = std::move(value);
      return;
    }
    json::value& next = (*at)[key];
    if (!next.is_object()) next = json::object{};
    at = &next.as_object();
    start = dot + 1;
  }
}

std::int64_t integer_at(const json::object& object, const std::string& path) {
  if (path.empty()) return 0;
  try {
    auto found = JsonPath(path).find(object);
    if (!found.empty() && found.front()->is_int64()) return found.front()->as_int64();
    if (!found.empty() && found.front()->is_double()) return static_cast<std::int64_t>(found.front()->as_double());
  } catch (const std::invalid_argument&) {
  }
  return 0;
}

json::object scale_document(const CustomResourceVersion& version, const json::object& object) {
  const ScaleSubresource& s = *version.scale;
  json::object meta;
  const json::value* m = object.if_contains("metadata");
  for (const char* key : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"})
    if (m && m->is_object())
      if (const json::value* v = m->as_object().if_contains(key)) meta[key] = *v;
  json::object status{{"replicas", integer_at(object, s.status_replicas_path)}};
  if (!s.label_selector_path.empty()) {
    try {
      auto found = JsonPath(s.label_selector_path).find(object);
      if (!found.empty() && found.front()->is_string()) status["selector"] = *found.front();
    } catch (const std::invalid_argument&) {
    }
  }
  return json::object{{"kind", "Scale"},
                      {"apiVersion", "autoscaling/v1"},
                      {"metadata", std::move(meta)},
                      {"spec", json::object{{"replicas", integer_at(object, s.spec_replicas_path)}}},
                      {"status", std::move(status)}};
}

ApiError conflict(const ServedCustomResource& crd, const std::string& name) {
  return ApiError(sdk::Status::Conflict("Operation cannot be fulfilled on " + crd.plural + "." + crd.group + " " +
                                        quoted(name) +
                                        ": the object has been modified; please apply your changes to the latest "
                                        "version and try again"));
}

}  // namespace

CustomResources::CustomResources(ApiCore& api, WatchFanout& watches, CustomResourceRegistry& registry,
                                 std::function<void()> refresh)
    : api_(api), watches_(watches), registry_(registry), refresh_(std::move(refresh)) {}

bool CustomResources::handle(const RequestInfo& info, const HttpRequest& request, HttpResponder& response) {
  ServedCustomResourcePtr crd = registry_.find(info.group, info.resource);
  if (!crd && refresh_ && info.group.find('.') != std::string::npos) {
    refresh_();
    crd = registry_.find(info.group, info.resource);
  }
  if (!crd) return false;
  const CustomResourceVersion* version = crd->version(info.version);
  if (!version) return false;
  if (!crd->namespaced && !info.namespace_.empty()) return false;
  Call call{info, request, response, crd, *version, {}};
  const std::string& sub = info.subresource;
  if (!sub.empty() && !(sub == "status" && version->status_subresource) && !(sub == "scale" && version->scale)) return false;
  if (version->deprecated)
    call.warnings.push_back(!version->deprecation_warning.empty()
                                ? version->deprecation_warning
                                : crd->group + "/" + version->name + " " + crd->kind + " is deprecated");
  if (sub == "scale") {
    scale(call);
    return true;
  }
  const std::string& verb = info.verb;
  if (verb == "get") get(call);
  else if (verb == "list") list(call);
  else if (verb == "watch") watch(call);
  else if (verb == "create" && sub.empty()) create(call);
  else if (verb == "update") update(call);
  else if (verb == "patch") patch(call);
  else if (verb == "delete" && sub.empty()) erase(call);
  else if (verb == "deletecollection" && sub.empty()) erase_collection(call);
  else
    response.send(405, kJson, status_json({405, "MethodNotAllowed", "the server does not allow this method on the requested resource"}));
  return true;
}

void CustomResources::send_object(Call& call, unsigned status, const google::protobuf::Message& object) {
  json::object view = call.view(object);
  if (wants_table(call.request) && call.info.verb == "get") {
    CustomTableOptions options;
    options.resource_version = sdk::meta_of(object).resource_version();
    options.include_object = call.request.has_query("includeObject") ? call.request.query_value("includeObject") : "Metadata";
    return send_json(call.response, status, render_custom_table(call.version, {view}, options), warning_headers(call.warnings));
  }
  send_json(call.response, status, view, warning_headers(call.warnings));
}

void CustomResources::get(Call& call) {
  send_object(call, 200, *api_.get(call.type(), call.info.namespace_, call.info.name));
}

void CustomResources::list(Call& call) {
  ListResult result = api_.list(call.type(), list_query(call.request, call.info.namespace_));
  std::vector<json::object> items;
  items.reserve(result.items.size());
  for (const auto& item : result.items) items.push_back(call.view(*item));
  if (wants_table(call.request)) {
    CustomTableOptions options;
    options.resource_version = result.resource_version;
    options.continue_token = result.continue_token;
    options.include_object = call.request.has_query("includeObject") ? call.request.query_value("includeObject") : "Metadata";
    return send_json(call.response, 200, render_custom_table(call.version, items, options), warning_headers(call.warnings));
  }
  json::object meta{{"resourceVersion", result.resource_version}};
  if (!result.continue_token.empty()) meta["continue"] = result.continue_token;
  json::array array;
  for (auto& item : items) array.push_back(std::move(item));
  send_json(call.response, 200,
            json::object{{"apiVersion", call.crd->api_version(call.version.name)},
                         {"items", std::move(array)},
                         {"kind", call.crd->list_kind},
                         {"metadata", std::move(meta)}},
            warning_headers(call.warnings));
}

void CustomResources::watch(Call& call) {
  const HttpRequest& request = call.request;
  HttpResponder& response = call.response;
  // The store and the watch fan-out know custom resources by their generic type.
  const sdk::ResourceType& generic = *sdk::find_custom_resource(call.type().resource());
  WatchFilter filter;
  filter.namespace_ = call.info.namespace_;
  filter.labels = sdk::LabelSelector::parse(request.query_value("labelSelector"));
  filter.fields = sdk::FieldSelector::parse(request.query_value("fieldSelector"), generic.descriptor);
  bool table = wants_table(request);
  std::string bookmarks_asked = request.query_value("allowWatchBookmarks");
  bool bookmarks = bookmarks_asked == "true" || bookmarks_asked == "True";
  auto limit = watch_options_.max_watch;
  if (request.has_query("timeoutSeconds"))
    limit = std::min(limit, std::chrono::seconds(std::stoll(request.query_value("timeoutSeconds"))));
  auto deadline = Clock::now() + limit;
  std::shared_ptr<Watcher> watcher;
  try {
    watcher = watches_.watch(generic, filter, request.query_value("resourceVersion"));
  } catch (const ApiError& e) {
    if (e.status().code != 410) throw;
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
  } unwatch{watches_, generic, watcher};
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
      if (bookmarks && Clock::now() - last_bookmark >= watch_options_.bookmark_interval) {
        json::object object{{"kind", call.crd->kind},
                            {"apiVersion", call.crd->api_version(call.version.name)},
                            {"metadata", json::object{{"resourceVersion", std::to_string(watcher->last_revision())}}}};
        if (!response.write_chunk("{\"type\":\"BOOKMARK\",\"object\":" + json::serialize(object) + "}\n")) return;
        last_bookmark = Clock::now();
      }
      continue;
    }
    json::value object;
    if (table) {
      CustomTableOptions options;
      options.include_columns = !columns_sent;
      options.resource_version = std::to_string(event->revision);
      options.include_object = request.has_query("includeObject") ? request.query_value("includeObject") : "Metadata";
      columns_sent = true;
      object = render_custom_table(call.version, {call.view(*event->object)}, options);
    } else {
      object = call.view(*event->object);
    }
    json::object envelope{{"type", event->type}, {"object", std::move(object)}};
    if (!response.write_chunk(json::serialize(envelope) + "\n")) return;
  }
  response.end_stream();
}

json::object CustomResources::accept_body(Call& call, json::value body) const {
  if (!body.is_object()) throw ApiError(sdk::Status::BadRequest("the body must be a JSON object, not " + json_type_name(body)));
  json::object& object = body.as_object();
  std::string expected = call.crd->api_version(call.version.name);
  std::string api_version = string_member(object, {"apiVersion"});
  std::string kind = string_member(object, {"kind"});
  if (!api_version.empty() && api_version != expected)
    throw ApiError(sdk::Status::BadRequest("the API version in the data (" + api_version +
                                           ") does not match the expected API version (" + expected + ")"));
  if (!kind.empty() && kind != call.crd->kind)
    throw ApiError(sdk::Status::BadRequest("the kind in the data (" + kind + ") does not match the expected kind (" +
                                           call.crd->kind + ")"));
  object["apiVersion"] = expected;
  object["kind"] = call.crd->kind;
  std::vector<std::string> pruned = call.version.schema->prune(body);
  std::string validation = call.request.query_value("fieldValidation");
  if (!pruned.empty() && validation != "Ignore") {
    if (validation == "Strict") {
      std::string fields;
      for (const auto& p : pruned) fields += (fields.empty() ? "" : ", ") + std::string("unknown field ") + quoted(p);
      throw ApiError(sdk::Status::BadRequest("strict decoding error: " + fields));
    }
    for (const auto& p : pruned) call.warnings.push_back("unknown field " + quoted(p));
  }
  call.version.schema->apply_defaults(body);
  return std::move(body.as_object());
}

MessagePtr CustomResources::checked(Call& call, const json::object& object, const std::string& name) const {
  FieldErrors errors;
  call.version.schema->validate(object, errors);
  sdk::ResourceType shown = call.type();
  shown.kind = call.crd->kind;  // ApiCore's name for it may differ (custom_resource_registry.cpp)
  errors.throw_if_any(shown, name);
  return custom_object_from_json(*call.crd, object);
}

void CustomResources::create(Call& call) {
  if (call.crd->terminating)
    throw ApiError(sdk::Status{405, "MethodNotAllowed", "create not allowed while custom resource definition is terminating"});
  if (call.crd->namespaced && call.info.namespace_.empty())
    throw ApiError(sdk::Status::NotFound("the server could not find the requested resource"));
  json::object object = accept_body(call, parse_body(call.request.body, call.request.header("Content-Type")));
  // With a status subresource, status is the controller's: a create starts without one.
  if (call.version.status_subresource) object.erase("status");
  std::string name = string_member(object, {"metadata", "name"});
  MessagePtr stored = checked(call, object, name.empty() ? string_member(object, {"metadata", "generateName"}) : name);
  MessagePtr created = api_.create(call.type(), call.info.namespace_, stored, write_options(call.request));
  send_object(call, 201, *created);
}

MessagePtr CustomResources::rewrite(Call& call,
                                    const std::function<json::object(const json::object& current)>& change,
                                    const std::string& subresource) {
  const std::string& name = call.info.name;
  bool status_only = subresource == "status";
  bool keep_status = !status_only && call.version.status_subresource;
  return api_.modify(call.type(), call.info.namespace_, name, [&](const google::protobuf::Message& current) {
    json::object before = call.view(current);
    json::object next = change(before);
    std::string rv = string_member(next, {"metadata", "resourceVersion"});
    if (!rv.empty() && rv != sdk::meta_of(current).resource_version()) throw conflict(*call.crd, name);
    if (status_only) {
      // Only the status changes through /status; everything else stays as stored.
      json::object merged = before;
      if (const json::value* status = next.if_contains("status")) merged["status"] = *status;
      else merged.erase("status");
      next = std::move(merged);
    } else if (keep_status) {
      if (const json::value* status = before.if_contains("status")) next["status"] = *status;
      else next.erase("status");
    }
    std::string next_name = string_member(next, {"metadata", "name"});
    if (!next_name.empty() && next_name != name)
      throw ApiError(sdk::Status::BadRequest("the name of the object (" + next_name +
                                             ") does not match the name on the URL (" + name + ")"));
    std::string next_ns = string_member(next, {"metadata", "namespace"});
    if (call.crd->namespaced && !next_ns.empty() && next_ns != call.info.namespace_)
      throw ApiError(sdk::Status::BadRequest("the namespace of the provided object does not match the namespace sent "
                                             "on the request"));
    MessagePtr stored = checked(call, next, name);
    auto* meta = sdk::mutable_meta_of(*stored);
    meta->set_name(name);
    if (call.crd->namespaced) meta->set_namespace_(call.info.namespace_);
    meta->set_resource_version(sdk::meta_of(current).resource_version());
    return stored;
  }, status_only ? "status" : "", write_options(call.request));
}

void CustomResources::update(Call& call) {
  json::object body = accept_body(call, parse_body(call.request.body, call.request.header("Content-Type")));
  MessagePtr updated = rewrite(call, [&](const json::object&) { return body; }, call.info.subresource);
  send_object(call, 200, *updated);
}

void CustomResources::patch(Call& call) {
  const HttpRequest& request = call.request;
  std::string content_type = request.header("Content-Type");
  std::string base = content_type.substr(0, content_type.find(';'));
  if (base == "application/strategic-merge-patch+json")
    throw ApiError(sdk::Status{415, "UnsupportedMediaType",
                               "the body of the request was in an unknown format - accepted media types include: "
                               "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"});
  PatchType kind = patch_type_of(content_type);
  json::value patch = parse_body(request.body, kind == PatchType::Apply ? "application/yaml" : kJson);
  if (kind == PatchType::Apply) {
    if (request.query_value("fieldManager").empty())
      throw ApiError(sdk::Status::BadRequest("PATCH requests with application/apply-patch+yaml require a fieldManager"));
    try {
      api_.get(call.type(), call.info.namespace_, call.info.name);
    } catch (const ApiError& e) {
      if (e.status().code != 404 || !call.info.subresource.empty()) throw;
      // Server-side apply creates what does not exist yet.
      json::object object = accept_body(call, patch);
      if (string_member(object, {"metadata", "name"}).empty()) set_at(object, ".metadata.name", json::string(call.info.name));
      if (call.version.status_subresource) object.erase("status");
      MessagePtr created = api_.create(call.type(), call.info.namespace_, checked(call, object, call.info.name),
                                       write_options(request));
      return send_object(call, 201, *created);
    }
  }
  MessagePtr updated = rewrite(call, [&](const json::object& current) {
    call.warnings.clear();
    json::value target = current;
    json::value patched = kind == PatchType::Json ? apply_json_patch(std::move(target), patch)
                                                  : apply_merge_patch(std::move(target), patch);
    return accept_body(call, std::move(patched));
  }, call.info.subresource);
  send_object(call, 200, *updated);
}

void CustomResources::erase(Call& call) {
  DeleteResult result = api_.erase(call.type(), call.info.namespace_, call.info.name, delete_options(call.request),
                                   call.request.query_value("dryRun") == "All");
  if (!result.gone) return send_object(call, 200, *result.object);
  // Gone at once: Kubernetes answers a custom resource's delete with a Success Status.
  const auto& meta = sdk::meta_of(*result.object);
  json::object status{{"kind", "Status"},
                      {"apiVersion", "v1"},
                      {"metadata", json::object{}},
                      {"status", "Success"},
                      {"details", json::object{{"name", meta.name()}, {"group", call.crd->group},
                                               {"kind", call.crd->plural}, {"uid", meta.uid()}}}};
  send_json(call.response, 200, status, warning_headers(call.warnings));
}

void CustomResources::erase_collection(Call& call) {
  if (call.crd->namespaced || call.info.namespace_.empty()) {
    DeleteOptions options = delete_options(call.request);
    ListQuery query = list_query(call.request, call.info.namespace_);
    query.limit = 0;
    query.continue_token.clear();
    for (const auto& item : api_.list(call.type(), query).items) {
      try {
        api_.erase(call.type(), sdk::meta_of(*item).namespace_(), sdk::meta_of(*item).name(), options);
      } catch (const ApiError& e) {
        if (e.status().code != 404) throw;
      }
    }
  }
  call.response.send(200, kJson, status_json(sdk::Status::Ok()));
}

void CustomResources::scale(Call& call) {
  const std::string& verb = call.info.verb;
  if (verb == "get") {
    json::object object = call.view(*api_.get(call.type(), call.info.namespace_, call.info.name));
    return send_json(call.response, 200, scale_document(call.version, object));
  }
  if (verb != "update" && verb != "patch")
    return call.response.send(405, kJson, status_json({405, "MethodNotAllowed",
                                                       "the server does not allow this method on the requested resource"}));
  json::value body = parse_body(call.request.body, call.request.header("Content-Type"));
  MessagePtr updated = rewrite(call, [&](const json::object& current) {
    json::value scale = scale_document(call.version, current);
    if (verb == "patch") {
      PatchType kind = patch_type_of(call.request.header("Content-Type"));
      scale = kind == PatchType::Json ? apply_json_patch(std::move(scale), body) : apply_merge_patch(std::move(scale), body);
    } else {
      std::string rv = body.is_object() ? string_member(body.as_object(), {"metadata", "resourceVersion"}) : "";
      if (!rv.empty() && rv != string_member(current, {"metadata", "resourceVersion"})) throw conflict(*call.crd, call.info.name);
      scale = body;
    }
    json::object next = current;
    set_at(next, call.version.scale->spec_replicas_path, replicas_from_scale(scale));
    return next;
  }, "");
  send_json(call.response, 200, scale_document(call.version, call.view(*updated)));
}

}  // namespace skiff::apiserver
