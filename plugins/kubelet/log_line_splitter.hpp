// Cuts a log line longer than the shipper's limit into parts, so one runaway line (a 1 MiB
// JSON blob, binary garbage without newlines) never makes a message the bus refuses.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace skiff::kubelet {

// The parts of `line`, each at most `max_bytes` (at least 4); a line that fits, or an empty
// one, is one part. Bytes are kept as they are; a cut moves back (by up to 3 bytes) so it does
// not fall inside a UTF-8 character when the text is UTF-8.
std::vector<std::string_view> split_line(std::string_view line, std::size_t max_bytes);

}  // namespace skiff::kubelet
