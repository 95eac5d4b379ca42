#include "podlog_json.hpp"

#include <cstdio>
#include <ctime>
#include <map>

#include <google/protobuf/stubs/strutil.h>

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

// Length of the UTF-8 sequence starting at `i`, or 0 when the bytes there are not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || i + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k)
    if ((byte(i + k) >> 6) != 0x2) return 0;
  std::uint32_t code = length == 1 ? c : c & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) code = (code << 6) | (byte(i + k) & 0x3F);
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 either.
  static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kSmallest[length] || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return 0;
  return length;
}

}  // namespace

std::string format_rfc3339_nano(std::int64_t unix_nano) {
  std::int64_t seconds = unix_nano / 1'000'000'000;
  std::int64_t nanos = unix_nano % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --seconds;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out = text;
  if (nanos != 0) {
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%09lld", static_cast<long long>(nanos));
    std::string f = fraction;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

bool is_utf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t length = utf8_sequence(bytes, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string escape_binary(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t length = utf8_sequence(bytes, i);
    if (length == 0) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(bytes[i]));
      out += hex;
      ++i;
      continue;
    }
    if (bytes[i] == '\\') out += '\\';
    out.append(bytes.substr(i, length));
    i += length;
  }
  return out;
}

json::object podlog_item(const logging::v1::LogLine& line) {
  json::object item;
  item["namespace"] = line.namespace_();
  item["pod"] = line.pod();
  item["podUID"] = line.pod_uid();
  item["container"] = line.container();
  item["node"] = line.node();
  item["stream"] = line.stream();
  item["time"] = format_rfc3339_nano(line.time_unix_nano());
  if (is_utf8(line.line())) {
    item["line"] = line.line();
  } else {
    item["line"] = escape_binary(line.line());
    std::string exact;
    google::protobuf::Base64Escape(line.line(), &exact);
    item["lineBase64"] = exact;
  }
  if (line.part_count() > 1) {
    item["part"] = line.part();
    item["partCount"] = line.part_count();
  }
  std::map<std::string, std::string> sorted(line.pod_labels().begin(), line.pod_labels().end());
  json::object labels;
  for (const auto& [key, value] : sorted) labels[key] = value;
  item["labels"] = std::move(labels);
  return item;
}

}  // namespace skiff::apiserver
