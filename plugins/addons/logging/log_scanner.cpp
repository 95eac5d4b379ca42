// Reads go in batches through the SDK's JetStream (an ephemeral consumer each), from a sequence
// number, narrowed by the subject filter; every line read is decoded and tested by the filter.
#include "log_scanner.hpp"

#include <algorithm>
#include <deque>
#include <optional>

#include "skiff/sdk/status.hpp"

namespace skiff::logging {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadBatch = 1000;
// Newest first: the first window of sequence numbers, and how much each next one grows (a
// rare pod's lines are far apart; a busy one's are found in the first window).
constexpr std::uint64_t kFirstWindow = 4096;
constexpr std::uint64_t kWindowGrowth = 4;
constexpr std::uint64_t kLargestWindow = 4 * 1024 * 1024;

constexpr std::int64_t slack_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(kStoreDelaySlack).count();
}

// The inclusive range of sequence numbers that can hold matching lines.
struct SequenceRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

std::chrono::milliseconds time_left(const ScanOptions& options) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(options.deadline - Clock::now());
  return std::clamp(left, std::chrono::milliseconds(1), std::chrono::milliseconds(10000));
}

bool past_deadline(const ScanOptions& options) { return Clock::now() >= options.deadline; }

std::vector<sdk::StoredMessage> read_batch(sdk::JetStream& js, const ScanOptions& options, std::uint64_t from) {
  auto batch = js.read(options.stream, options.subject_filter, sdk::ReadFrom::at_sequence(from), kReadBatch,
                       time_left(options));
  if (options.on_progress) options.on_progress();
  return batch;
}

// The first stored message matching the subject filter at or after `time`, if any.
std::optional<std::uint64_t> first_sequence_at(sdk::JetStream& js, const ScanOptions& options, std::int64_t time) {
  auto found = js.read(options.stream, options.subject_filter, sdk::ReadFrom::at_time(std::max<std::int64_t>(time, 1)), 1,
                       time_left(options));
  if (found.empty()) return std::nullopt;
  return found.front().sequence;
}

// Where the lines of [since, until) can be, widened by the slack; nullopt when nowhere.
std::optional<SequenceRange> sequence_range(sdk::JetStream& js, const ScanOptions& options, const LogFilter& filter,
                                            std::uint64_t& last_sequence) {
  auto state = js.stream_state(options.stream);
  if (!state)
    throw sdk::Error(sdk::Status::Unavailable("the log stream " + options.stream +
                                              " does not exist; is the logging addon running on a master?"));
  last_sequence = state->last_sequence;
  if (state->messages == 0) return std::nullopt;
  SequenceRange range{state->first_sequence, state->last_sequence};
  if (filter.since() != 0) {
    auto first = first_sequence_at(js, options, filter.since() - slack_nanos());
    if (!first) return std::nullopt;
    range.first = std::max(range.first, *first);
  }
  if (filter.until() != 0) {
    if (auto after = first_sequence_at(js, options, filter.until() + slack_nanos())) range.last = std::min(range.last, *after - 1);
  }
  if (range.first > range.last) return std::nullopt;
  return range;
}

std::optional<v1::LogEntry> decode(const sdk::StoredMessage& message, const LogFilter& filter) {
  v1::LogEntry entry;
  if (!entry.mutable_line()->ParseFromString(message.data) || !filter.matches(entry.line())) return std::nullopt;
  entry.set_sequence(message.sequence);
  return entry;
}

void scan_oldest_first(sdk::JetStream& js, const ScanOptions& options, const LogFilter& filter, SequenceRange range,
                       ScanResult& result) {
  std::uint64_t cursor = range.first;
  while (cursor <= range.last) {
    if (past_deadline(options)) {
      result.truncated = true;
      return;
    }
    auto batch = read_batch(js, options, cursor);
    for (const auto& message : batch) {
      if (message.sequence > range.last) return;
      ++result.read;
      auto entry = decode(message, filter);
      if (!entry) continue;
      if (result.entries.size() == options.limit) {
        result.truncated = true;
        return;
      }
      result.entries.push_back(std::move(*entry));
    }
    if (batch.size() < kReadBatch) return;
    cursor = batch.back().sequence + 1;
  }
}

// The newest `keep` matching lines of [first, last], in stream order.
std::deque<v1::LogEntry> newest_in_window(sdk::JetStream& js, const ScanOptions& options, const LogFilter& filter,
                                          SequenceRange window, std::size_t keep, ScanResult& result) {
  std::deque<v1::LogEntry> kept;
  std::uint64_t cursor = window.first;
  while (cursor <= window.last && !past_deadline(options)) {
    auto batch = read_batch(js, options, cursor);
    for (const auto& message : batch) {
      if (message.sequence > window.last) return kept;
      ++result.read;
      auto entry = decode(message, filter);
      if (!entry) continue;
      kept.push_back(std::move(*entry));
      if (kept.size() > keep) kept.pop_front();
    }
    if (batch.size() < kReadBatch) break;
    cursor = batch.back().sequence + 1;
  }
  return kept;
}

void scan_newest_first(sdk::JetStream& js, const ScanOptions& options, const LogFilter& filter, SequenceRange range,
                       ScanResult& result) {
  std::uint64_t window = kFirstWindow;
  std::uint64_t high = range.last;
  while (true) {
    std::uint64_t low = high - range.first + 1 > window ? high - window + 1 : range.first;
    std::size_t wanted = options.limit + 1 - result.entries.size();  // one more tells "truncated"
    auto kept = newest_in_window(js, options, filter, {low, high}, wanted, result);
    for (auto it = kept.rbegin(); it != kept.rend(); ++it) result.entries.push_back(std::move(*it));
    if (result.entries.size() > options.limit) {
      result.entries.resize(options.limit);
      result.truncated = true;
      return;
    }
    if (past_deadline(options)) {
      result.truncated = low > range.first;
      return;
    }
    if (low == range.first) return;
    high = low - 1;
    window = std::min(window * kWindowGrowth, kLargestWindow);
  }
}

}  // namespace

void sort_by_time(std::vector<v1::LogEntry>& entries, bool newest_first) {
  auto older = [](const v1::LogEntry& a, const v1::LogEntry& b) {
    if (a.line().time_unix_nano() != b.line().time_unix_nano()) return a.line().time_unix_nano() < b.line().time_unix_nano();
    return a.sequence() < b.sequence();
  };
  if (newest_first)
    std::stable_sort(entries.begin(), entries.end(), [&](const auto& a, const auto& b) { return older(b, a); });
  else
    std::stable_sort(entries.begin(), entries.end(), older);
}

ScanResult scan_logs(sdk::JetStream& js, const ScanOptions& options, const LogFilter& filter) {
  ScanResult result;
  auto range = sequence_range(js, options, filter, result.last_sequence);
  if (!range || options.limit == 0) return result;
  if (options.newest_first)
    scan_newest_first(js, options, filter, *range, result);
  else
    scan_oldest_first(js, options, filter, *range, result);
  sort_by_time(result.entries, options.newest_first);
  return result;
}

}  // namespace skiff::logging
