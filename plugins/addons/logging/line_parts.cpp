#include "line_parts.hpp"

#include <algorithm>

namespace skiff::logging {

namespace {

bool same_line(const v1::LogLine& a, const v1::LogLine& b) {
  return a.pod_uid() == b.pod_uid() && a.container() == b.container() && a.attempt() == b.attempt() &&
         a.time_unix_nano() == b.time_unix_nano() && a.part_count() == b.part_count();
}

// The entries [begin, begin + count) are parts 0..count-1 of one line, in some order.
bool whole_run(const std::vector<v1::LogEntry>& entries, std::size_t begin, int count) {
  if (begin + static_cast<std::size_t>(count) > entries.size()) return false;
  std::vector<bool> seen(static_cast<std::size_t>(count), false);
  for (std::size_t i = begin; i < begin + static_cast<std::size_t>(count); ++i) {
    const auto& line = entries[i].line();
    if (!same_line(line, entries[begin].line()) || line.part() < 0 || line.part() >= count || seen[line.part()])
      return false;
    seen[line.part()] = true;
  }
  return true;
}

v1::LogEntry joined(std::vector<v1::LogEntry>::iterator begin, std::vector<v1::LogEntry>::iterator end) {
  std::sort(begin, end, [](const auto& a, const auto& b) { return a.line().part() < b.line().part(); });
  v1::LogEntry out = std::move(*begin);  // part 0: its sequence stands for the line
  for (auto it = begin + 1; it != end; ++it) out.mutable_line()->mutable_line()->append(it->line().line());
  out.mutable_line()->clear_part();
  out.mutable_line()->clear_part_count();
  return out;
}

}  // namespace

void join_parts(std::vector<v1::LogEntry>& entries) {
  std::vector<v1::LogEntry> out;
  out.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size();) {
    int count = entries[i].line().part_count();
    if (count > 1 && whole_run(entries, i, count)) {
      auto begin = entries.begin() + static_cast<long>(i);
      out.push_back(joined(begin, begin + count));
      i += static_cast<std::size_t>(count);
    } else {
      out.push_back(std::move(entries[i++]));
    }
  }
  entries = std::move(out);
}

}  // namespace skiff::logging
