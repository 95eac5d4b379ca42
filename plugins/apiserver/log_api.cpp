// Every query goes to the addon with a history stream (a reply could exceed one bus message);
// a list is collected and answered as one PodLogList, a follow is relayed line by line.
#include "log_api.hpp"

#include <charconv>
#include <cstdint>
#include <regex>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json.hpp>

#include "api_error.hpp"
#include "log_query_stream.hpp"
#include "podlog_json.hpp"
#include "podlog_table.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace lv1 = logging::v1;
using Clock = std::chrono::steady_clock;

constexpr const char* kGroupVersion = "logging.skiff.io/v1";
constexpr std::chrono::seconds kRecheckPresent{5};
constexpr std::chrono::seconds kRecheckMissing{1};
constexpr std::chrono::milliseconds kProbeTimeout{500};
constexpr std::chrono::seconds kAcceptTimeout{10};
// The addon sends something (a keepalive at least) every 5 s while it works.
constexpr std::chrono::seconds kSilenceLimit{30};
constexpr auto kPoll = std::chrono::milliseconds(250);  // how often a quiet follow checks for its client

ApiError bad_parameter(const std::string& name, const std::string& value, const std::string& expected) {
  return ApiError(sdk::Status::BadRequest(name + ": \"" + value + "\" is not valid; " + expected));
}

bool flag(const HttpRequest& request, std::string_view name) {
  std::string value = request.query_value(name);
  if (value.empty() && request.has_query(name)) return true;
  if (value.empty() || value == "0" || boost::iequals(value, "false") || value == "f" || value == "F") return false;
  if (value == "1" || value == "t" || value == "T" || boost::iequals(value, "true")) return true;
  throw bad_parameter(std::string(name), value, "write true or false");
}

std::int64_t whole_number(const HttpRequest& request, std::string_view name) {
  std::string text = request.query_value(name);
  if (text.empty()) return 0;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    throw bad_parameter(std::string(name), text, "write a whole number ≥ 0");
  return value;
}

std::int64_t unix_nano(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

std::int64_t time_parameter(const HttpRequest& request, std::string_view name) {
  std::string text = request.query_value(name);
  if (text.empty()) return 0;
  auto time = sdk::parse_rfc3339(text);
  if (!time) throw bad_parameter(std::string(name), text, "write an RFC 3339 time such as 2026-12-01T10:00:00Z");
  return unix_nano(*time);
}

void check_regex(const std::string& pattern) {
  try {
    std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw ApiError(sdk::Status::BadRequest("grep: \"" + pattern + "\" is not a valid ECMAScript regular expression (" +
                                           e.what() + "); escape special characters such as ( [ { * + ? with a backslash"));
  }
}

void check_selector(const std::string& text) {
  try {
    sdk::LabelSelector::parse(text);
  } catch (const sdk::Error& e) {
    throw ApiError(sdk::Status::BadRequest("labelSelector: " + e.status().message));
  }
}

json::object resource_list() {
  json::object podlogs;
  podlogs["name"] = "podlogs";
  podlogs["singularName"] = "podlog";
  podlogs["namespaced"] = true;
  podlogs["kind"] = "PodLog";
  podlogs["verbs"] = json::array{"get", "list"};
  json::object doc;
  doc["kind"] = "APIResourceList";
  doc["apiVersion"] = "v1";
  doc["groupVersion"] = kGroupVersion;
  doc["resources"] = json::array{podlogs};
  return doc;
}

ApiError addon_missing(const std::string& subject) {
  return ApiError(sdk::Status::Unavailable("no logging addon answers on " + subject +
                                           "; add `- {name: logging}` to a master's profile (it needs JetStream on the bus)"));
}

std::string status_line(int code, const std::string& reason, const std::string& message) {
  json::object s{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object{}}, {"status", "Failure"},
                 {"message", message}, {"reason", reason}, {"code", code}};
  return json::serialize(s) + "\n";
}

}  // namespace

lv1::LogQuery log_query_of(const RequestInfo& info, const HttpRequest& request) {
  lv1::LogQuery q;
  q.set_namespace_(info.namespace_);
  q.set_pod(info.name);
  q.set_pod_uid(request.query_value("podUID"));
  q.set_container(request.query_value("container"));
  q.set_node(request.query_value("node"));
  q.set_label_selector(request.query_value("labelSelector"));
  check_selector(q.label_selector());
  q.set_contains(request.query_value("contains"));
  q.set_regex(request.query_value("grep"));
  if (!q.regex().empty()) check_regex(q.regex());
  if (std::int64_t seconds = whole_number(request, "sinceSeconds"); seconds > 0)
    q.set_since_unix_nano(unix_nano(std::chrono::system_clock::now() - std::chrono::seconds(seconds)));
  if (request.has_query("sinceTime")) {
    if (request.has_query("sinceSeconds"))
      throw ApiError(sdk::Status::BadRequest("sinceSeconds and sinceTime cannot both be given: choose one"));
    q.set_since_unix_nano(time_parameter(request, "sinceTime"));
  }
  q.set_until_unix_nano(time_parameter(request, "untilTime"));
  if (q.until_unix_nano() != 0 && q.since_unix_nano() >= q.until_unix_nano())
    throw ApiError(sdk::Status::BadRequest("untilTime must be after the start (sinceTime or sinceSeconds)"));
  std::int64_t limit = whole_number(request, "limit");
  if (limit > INT32_MAX) throw bad_parameter("limit", request.query_value("limit"), "write at most 2147483647");
  q.set_limit(static_cast<std::int32_t>(limit));
  q.set_reverse(flag(request, "reverse"));
  if (q.reverse() && flag(request, "follow"))
    throw ApiError(sdk::Status::BadRequest("reverse and follow cannot be combined: a live tail shows lines oldest first"));
  return q;
}

bool LogApi::available() {
  std::lock_guard lock(mutex_);
  auto now = Clock::now();
  if (now - checked_ < (available_ ? kRecheckPresent : kRecheckMissing)) return available_;
  lv1::LogQuery probe;
  probe.set_limit(-1);  // refused at once (400): a cheap sign of life
  sdk::Reply reply = bus_.request(subjects_.logging("query"), probe.SerializeAsString(), kProbeTimeout);
  available_ = reply.status.code != 503 && reply.status.code != 504;
  checked_ = now;
  return available_;
}

void LogApi::handle(const RequestInfo& info, const HttpRequest& request, HttpResponder& response) {
  auto not_found = [] { return ApiError(sdk::Status::NotFound("the server could not find the requested resource")); };
  if (info.version != "v1") throw not_found();
  if (!info.is_resource) return response.send(200, "application/json", json::serialize(resource_list()));
  if (info.resource != "podlogs" || !info.subresource.empty()) throw not_found();
  if (info.verb != "get" && info.verb != "list")
    throw ApiError(sdk::Status{405, "MethodNotAllowed", "podlogs are read-only: only get and list are allowed"});
  lv1::LogQuery query = log_query_of(info, request);
  if (flag(request, "follow")) return follow(query, response);
  list(query, response, request.header("Accept").find("as=Table") != std::string::npos);
}

void LogApi::ask(const lv1::LogQuery& query) {
  std::string subject = subjects_.logging("query");
  sdk::Reply reply = bus_.request(subject, query.SerializeAsString(), kAcceptTimeout);
  if (reply.ok()) return;
  if (reply.nothing_serves()) throw addon_missing(subject);
  if (reply.status.code == 504)
    throw ApiError(sdk::Status::Timeout("the logging addon did not accept the query within 10s (" + subject + ")"));
  throw ApiError(reply.status);
}

void LogApi::list(lv1::LogQuery query, HttpResponder& response, bool as_table) {
  LogQueryStream stream(bus_, subjects_);
  query.set_history_stream(stream.subject());
  ask(query);
  json::array items;
  bool truncated = false;
  while (true) {
    auto batch = stream.next(Clock::now() + kSilenceLimit);
    if (!batch) throw ApiError(sdk::Status::Timeout("the logging addon stopped answering in the middle of a query"));
    for (const auto& entry : batch->entries()) items.push_back(podlog_item(entry.line()));
    if (!batch->done()) continue;
    if (!batch->error().empty()) throw ApiError(sdk::Status::Internal("the log query failed: " + batch->error()));
    truncated = batch->truncated();
    break;
  }
  if (as_table) return response.send(200, "application/json", json::serialize(podlog_table(items, true)));
  json::object doc;
  doc["kind"] = "PodLogList";
  doc["apiVersion"] = kGroupVersion;
  doc["metadata"] = json::object{};
  doc["truncated"] = truncated;
  doc["items"] = std::move(items);
  response.send(200, "application/json", json::serialize(doc));
}

void LogApi::follow(lv1::LogQuery query, HttpResponder& response) {
  LogQueryStream stream(bus_, subjects_);
  query.set_follow_stream(stream.subject());
  ask(query);
  if (!response.begin_stream(200, "application/json")) return stream.stop();
  auto heard = Clock::now();
  while (true) {
    auto batch = stream.next(Clock::now() + kPoll);
    if (!batch) {
      if (response.peer_closed()) return stream.stop();
      if (Clock::now() - heard < kSilenceLimit) continue;
      response.write_chunk(status_line(504, "Timeout", "the logging addon stopped sending; the tail ended"));
      break;
    }
    heard = Clock::now();
    std::string lines;
    for (const auto& entry : batch->entries()) lines += json::serialize(podlog_item(entry.line())) + "\n";
    if (!lines.empty() && !response.write_chunk(lines)) return stream.stop();
    if (batch->done()) {
      if (!batch->error().empty()) response.write_chunk(status_line(500, "InternalError", batch->error()));
      break;
    }
  }
  response.end_stream();
}

}  // namespace skiff::apiserver
