// A line longer than the shipper's log_max_line_bytes is stored in parts (LogLine.part of
// part_count). An answer gives it back whole where all its parts are in it, next to each other
// (they are: same container, same time, consecutive in the stream); a lone part — the others
// did not match a text filter, or fell outside the limit — stays a part.
#pragma once

#include <vector>

#include "skiff/logging/v1/logging.pb.h"

namespace skiff::logging {

// In place, keeping the order (oldest or newest first): a joined line sits where its parts were.
void join_parts(std::vector<v1::LogEntry>& entries);

}  // namespace skiff::logging
