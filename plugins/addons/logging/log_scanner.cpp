// Reads go in batches through the SDK's JetStream (an ephemeral consumer each), from a sequence
// number, narrowed by the subject filter; every line read is decoded and tested by the filter.
#include "log_scanner.hpp"

#include <algorithm>
#include <climits>
#include <iterator>
#include <set>
#include <optional>

#include "line_parts.hpp"
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

// Where the lines from `since` on can be (widened by the slack); nullopt when nowhere.
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
  // `until` does not end the read early: a shipper that was cut off from the bus delivers old
  // lines late, and they must still be found; the limit and the deadline bound the scan.
  if (range.first > range.last) return std::nullopt;
  return range;
}

// A line read and matched, with when the stream stored it.
struct Candidate {
  v1::LogEntry entry;
  std::int64_t stored = 0;
};

std::optional<Candidate> decode(const sdk::StoredMessage& message, const LogFilter& filter) {
  Candidate c;
  if (!c.entry.mutable_line()->ParseFromString(message.data) || !filter.matches(c.entry.line())) return std::nullopt;
  c.entry.set_sequence(message.sequence);
  c.stored = message.time_unix_nano;
  return c;
}

bool older(const v1::LogEntry& a, const v1::LogEntry& b) {
  if (a.line().time_unix_nano() != b.line().time_unix_nano()) return a.line().time_unix_nano() < b.line().time_unix_nano();
  return a.sequence() < b.sequence();
}

// The `limit` oldest (or newest) candidates offered, by the lines' own times.
class KeptLines {
 public:
  KeptLines(std::size_t limit, bool newest) : limit_(limit), newest_(newest) {}
  void offer(Candidate c) {
    lines_.insert(std::move(c));
    if (lines_.size() <= limit_) return;
    dropped_ = true;
    lines_.erase(newest_ ? lines_.begin() : std::prev(lines_.end()));
  }
  bool full() const { return lines_.size() >= limit_; }
  bool dropped() const { return dropped_; }
  std::int64_t earliest_stored() const {
    std::int64_t earliest = INT64_MAX;
    for (const auto& c : lines_) earliest = std::min(earliest, c.stored);
    return earliest;
  }
  std::vector<v1::LogEntry> take() {
    std::vector<v1::LogEntry> out;
    out.reserve(lines_.size());
    while (!lines_.empty()) out.push_back(std::move(lines_.extract(lines_.begin()).value().entry));
    return out;
  }

 private:
  struct ByTime {
    bool operator()(const Candidate& a, const Candidate& b) const { return older(a.entry, b.entry); }
  };
  std::size_t limit_;
  bool newest_;
  bool dropped_ = false;
  std::multiset<Candidate, ByTime> lines_;
};

constexpr std::int64_t order_slack_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(kOrderSlack).count();
}

// Oldest first: once `limit` lines are kept, a line stored more than kOrderSlack later was
// written after every kept one, so the scan ends there.
void scan_oldest_first(sdk::JetStream& js, const ScanOptions& options, const LogFilter& filter, SequenceRange range,
                       ScanResult& result) {
  KeptLines kept(options.limit, false);
  std::optional<std::int64_t> full_at;
  bool stopped_early = false;
  for (std::uint64_t cursor = range.first; cursor <= range.last && !stopped_early;) {
    if (past_deadline(options)) {
      stopped_early = true;
      break;
    }
    auto batch = read_batch(js, options, cursor);
    for (const auto& message : batch) {
      if (message.sequence > range.last) break;
      if (full_at && message.time_unix_nano > *full_at + order_slack_nanos()) {
        stopped_early = true;
        break;
      }
      ++result.read;
      if (auto c = decode(message, filter)) kept.offer(std::move(*c));
      if (!full_at && kept.full()) full_at = message.time_unix_nano;
    }
    if (batch.empty()) break;  // a read may return fewer than asked while more are stored
    cursor = batch.back().sequence + 1;
  }
  result.truncated = kept.dropped() || stopped_early;
  result.entries = kept.take();
}

// Reads [first, last] into `kept`; returns the stored time of the window's first message
// (nullopt when none matched the subject filter).
std::optional<std::int64_t> read_window(sdk::JetStream& js, const ScanOptions& options, const LogFilter& filter,
                                        SequenceRange window, KeptLines& kept, ScanResult& result) {
  std::optional<std::int64_t> first_stored;
  for (std::uint64_t cursor = window.first; cursor <= window.last && !past_deadline(options);) {
    auto batch = read_batch(js, options, cursor);
    for (const auto& message : batch) {
      if (message.sequence > window.last) return first_stored;
      if (!first_stored) first_stored = message.time_unix_nano;
      ++result.read;
      if (auto c = decode(message, filter)) kept.offer(std::move(*c));
    }
    if (batch.empty()) break;  // a read may return fewer than asked while more are stored
    cursor = batch.back().sequence + 1;
  }
  return first_stored;
}

// Newest first, window by window backwards. Once `limit` lines are kept, a window that starts
// more than kOrderSlack before the earliest-stored kept line is the last: anything stored
// before it was written before every kept line.
void scan_newest_first(sdk::JetStream& js, const ScanOptions& options, const LogFilter& filter, SequenceRange range,
                       ScanResult& result) {
  KeptLines kept(options.limit, true);
  std::uint64_t window = kFirstWindow;
  std::uint64_t high = range.last;
  bool stopped_early = false;
  while (true) {
    std::uint64_t low = high - range.first + 1 > window ? high - window + 1 : range.first;
    auto first_stored = read_window(js, options, filter, {low, high}, kept, result);
    bool more = low > range.first;
    if (!more) break;
    if (past_deadline(options) ||
        (kept.full() && first_stored && *first_stored < kept.earliest_stored() - order_slack_nanos())) {
      stopped_early = true;
      break;
    }
    high = low - 1;
    window = std::min(window * kWindowGrowth, kLargestWindow);
  }
  result.truncated = kept.dropped() || stopped_early;
  result.entries = kept.take();
}

}  // namespace

void sort_by_time(std::vector<v1::LogEntry>& entries, bool newest_first) {
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
  join_parts(result.entries);
  return result;
}

}  // namespace skiff::logging
