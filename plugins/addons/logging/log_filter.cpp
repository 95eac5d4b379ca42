// Text filters run on the line's bytes as stored: binary output matches byte for byte.
#include "log_filter.hpp"

#include "skiff/sdk/status.hpp"

namespace skiff::logging {
namespace {

sdk::Error bad_request(std::string message) { return sdk::Error(sdk::Status::BadRequest(std::move(message))); }

std::regex compile_regex(const std::string& pattern) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw bad_request("regex \"" + pattern + "\" is not a valid ECMAScript regular expression (" + e.what() +
                      "); escape special characters such as ( [ { * + ? with a backslash");
  }
}

sdk::LabelSelector parse_selector(const std::string& text) {
  try {
    return sdk::LabelSelector::parse(text);
  } catch (const sdk::Error& e) {
    throw bad_request("label_selector \"" + text + "\": " + e.status().message +
                      " (write requirements such as app=web,tier!=db,env in (prod,staging))");
  }
}

}  // namespace

LogFilter LogFilter::compile(const v1::LogQuery& query) {
  if (query.since_unix_nano() < 0 || query.until_unix_nano() < 0)
    throw bad_request("since and until must be unix times in nanoseconds (≥ 0; 0 leaves the end open)");
  if (query.until_unix_nano() != 0 && query.since_unix_nano() >= query.until_unix_nano())
    throw bad_request("since must be before until: the range [since, until) selects no line");
  LogFilter filter;
  filter.query_ = query;
  filter.query_.clear_follow_stream();
  filter.query_.clear_history_stream();
  filter.selector_ = parse_selector(query.label_selector());
  if (!query.regex().empty()) filter.regex_ = compile_regex(query.regex());
  return filter;
}

bool LogFilter::matches(const v1::LogLine& line) const {
  const auto& q = query_;
  if (!q.namespace_().empty() && line.namespace_() != q.namespace_()) return false;
  if (!q.pod().empty() && line.pod() != q.pod()) return false;
  if (!q.pod_uid().empty() && line.pod_uid() != q.pod_uid()) return false;
  if (!q.container().empty() && line.container() != q.container()) return false;
  if (!q.node().empty() && line.node() != q.node()) return false;
  if (q.since_unix_nano() != 0 && line.time_unix_nano() < q.since_unix_nano()) return false;
  if (q.until_unix_nano() != 0 && line.time_unix_nano() >= q.until_unix_nano()) return false;
  if (!selector_.empty() && !selector_.matches(line.pod_labels())) return false;
  if (!q.contains().empty() && line.line().find(q.contains()) == std::string::npos) return false;
  if (regex_ && !std::regex_search(line.line(), *regex_)) return false;
  return true;
}

std::string LogFilter::subject_filter(const sdk::Subjects& subjects) const {
  auto or_any = [](const std::string& value) { return value.empty() ? std::string("*") : value; };
  return subjects.log_lines(or_any(query_.namespace_()), or_any(query_.pod()), or_any(query_.pod_uid()),
                            or_any(query_.container()));
}

}  // namespace skiff::logging
