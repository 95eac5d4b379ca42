// A query without a stream is answered in one reply (cut to what fits in a bus message). With a
// stream, the reply only accepts it; errors found before that (a bad regex, no log stream) are
// the reply's status, later ones the last batch's `error`.
#include "log_query_service.hpp"

#include <algorithm>

#include "follow_session.hpp"
#include "log_scanner.hpp"
#include "response_batches.hpp"
#include "skiff/sdk/jetstream.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::logging {
namespace {

using Clock = std::chrono::steady_clock;

sdk::Error bad_request(std::string message) { return sdk::Error(sdk::Status::BadRequest(std::move(message))); }

}  // namespace

LogQueryService::LogQueryService(sdk::Bus& bus, const sdk::Subjects& subjects, const Settings& settings,
                                 spdlog::logger& log)
    : bus_(bus),
      subjects_(subjects),
      settings_(settings),
      log_(log),
      queries_(static_cast<std::size_t>(settings.max_queries)),
      follows_(static_cast<std::size_t>(settings.max_follows)) {}

void LogQueryService::start() {
  service_ = bus_.serve(subjects_.logging("query"), "logging", [this](sdk::Request request) { accept(request); });
}

void LogQueryService::stop() {
  service_.cancel();
  queries_.stop_all();
  follows_.stop_all();
}

LogFilter LogQueryService::check(const v1::LogQuery& query) const {
  if (query.limit() < 0 || query.limit() > settings_.max_limit)
    throw bad_request("limit " + std::to_string(query.limit()) + " is out of range: 1.." +
                      std::to_string(settings_.max_limit) + " (the addon's max_limit), or 0 for the default " +
                      std::to_string(settings_.default_limit));
  if (query.reverse() && !query.follow_stream().empty())
    throw bad_request("reverse and follow cannot be combined: a live tail sends lines oldest first");
  return LogFilter::compile(query);
}

void LogQueryService::accept(const sdk::Request& request) {
  v1::LogQuery query;
  if (!query.ParseFromString(request.data()))
    return request.fail(sdk::Status::BadRequest("the request is not a skiff.logging.v1.LogQuery message"));
  try {
    LogFilter filter = check(query);
    bool follow = !query.follow_stream().empty();
    auto body = [this, request, query, filter](const std::atomic<bool>& stopping) { run(request, query, filter, stopping); };
    if (!(follow ? follows_ : queries_).launch(body))
      request.fail(sdk::Status::TooManyRequests(
          std::string("the logging addon already runs its most ") + (follow ? "live tails" : "queries") + " at once (" +
          std::to_string(follow ? settings_.max_follows : settings_.max_queries) + ", config " +
          (follow ? "max_follows" : "max_queries") + "); retry shortly"));
  } catch (const sdk::Error& e) {
    request.fail(e.status());
  }
}

void LogQueryService::run(const sdk::Request& request, const v1::LogQuery& query, const LogFilter& filter,
                          const std::atomic<bool>& stopping) {
  try {
    if (!query.follow_stream().empty() || !query.history_stream().empty()) return run_streamed(request, query, filter, stopping);
    auto js = bus_.jetstream();
    ScanOptions options;
    options.stream = subjects_.log_stream();
    options.subject_filter = filter.subject_filter(subjects_);
    options.limit = static_cast<std::size_t>(query.limit() > 0 ? query.limit() : settings_.default_limit);
    options.newest_first = query.reverse();
    options.deadline = Clock::now() + settings_.query_timeout;
    ScanResult result = scan_logs(*js, options, filter);
    request.reply(fitting_reply(std::move(result.entries), result.truncated).SerializeAsString());
  } catch (const sdk::Error& e) {
    request.fail(e.status());
  } catch (const std::exception& e) {
    log_.error("log query failed: {}", e.what());
    request.fail(sdk::Status::Internal(std::string("the log query failed: ") + e.what()));
  }
}

void LogQueryService::run_streamed(const sdk::Request& request, const v1::LogQuery& query, const LogFilter& filter,
                                   const std::atomic<bool>& stopping) {
  bool follow = !query.follow_stream().empty();
  const std::string& stream = follow ? query.follow_stream() : query.history_stream();
  auto js = bus_.jetstream();
  if (!js->stream_state(subjects_.log_stream()))
    throw sdk::Error(sdk::Status::Unavailable("the log stream " + subjects_.log_stream() + " does not exist yet"));
  request.reply(v1::LogQueryResponse().SerializeAsString());

  ScanOptions options;
  options.stream = subjects_.log_stream();
  options.subject_filter = filter.subject_filter(subjects_);
  options.limit = static_cast<std::size_t>(query.limit() > 0 ? query.limit() : settings_.default_limit);
  // A tail's history is the newest lines (as `kubectl logs --tail`), sent oldest first.
  options.newest_first = query.reverse() || follow;
  options.deadline = Clock::now() + settings_.query_timeout;
  auto last_sent = Clock::now();
  options.on_progress = [&] {
    if (Clock::now() - last_sent < kKeepalive) return;
    bus_.publish(stream, v1::LogQueryResponse().SerializeAsString());
    last_sent = Clock::now();
  };
  ScanResult result;
  try {
    result = scan_logs(*js, options, filter);
  } catch (const sdk::Error& e) {
    return finish_stream(stream, e.status().message, false);
  }
  if (follow) std::reverse(result.entries.begin(), result.entries.end());
  auto batches = in_batches(std::move(result.entries));
  if (!follow) {
    batches.back().set_done(true);
    batches.back().set_truncated(result.truncated);
  }
  for (const auto& batch : batches) bus_.publish(stream, batch.SerializeAsString());
  if (!follow) return;

  FollowSession session(bus_, *js, filter,
                        {stream, subjects_.log_stream(), options.subject_filter, result.last_sequence + 1});
  std::string error;
  try {
    error = session.run(stopping);
  } catch (const sdk::Error& e) {
    error = e.status().message;
  }
  finish_stream(stream, error, false);
}

void LogQueryService::finish_stream(const std::string& stream, const std::string& error, bool truncated) {
  v1::LogQueryResponse last;
  last.set_done(true);
  last.set_truncated(truncated);
  last.set_error(error);
  bus_.publish(stream, last.SerializeAsString());
}

}  // namespace skiff::logging
