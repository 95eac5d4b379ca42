#include "log_line_splitter.hpp"

#include <algorithm>

namespace skiff::kubelet {

namespace {

bool continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Where to cut `rest` at most `max_bytes` in: before a UTF-8 continuation byte only when no
// character start is near (binary data).
std::size_t cut_at(std::string_view rest, std::size_t max_bytes) {
  if (rest.size() <= max_bytes) return rest.size();
  std::size_t cut = max_bytes;
  for (std::size_t back = 0; back < 3 && cut > 1 && continuation_byte(rest[cut]); ++back) --cut;
  return continuation_byte(rest[cut]) ? max_bytes : cut;
}

}  // namespace

std::vector<std::string_view> split_line(std::string_view line, std::size_t max_bytes) {
  max_bytes = std::max<std::size_t>(max_bytes, 4);
  std::vector<std::string_view> parts;
  do {
    std::size_t n = cut_at(line, max_bytes);
    parts.push_back(line.substr(0, n));
    line.remove_prefix(n);
  } while (!line.empty());
  return parts;
}

}  // namespace skiff::kubelet
