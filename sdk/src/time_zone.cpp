// Reads TZif (RFC 8536) files: the 64-bit section's transitions and offsets. The system's
// files are "fat" (explicit transitions to 2037), so the POSIX footer rule is not needed today.
#include "skiff/sdk/time_zone.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace skiff::sdk {
namespace {

struct Reader {
  const std::string& bytes;
  std::size_t at = 0;

  std::uint64_t big_endian(int width) {
    if (at + width > bytes.size()) throw std::invalid_argument("truncated");
    std::uint64_t value = 0;
    for (int i = 0; i < width; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[at++]);
    return value;
  }
  void skip(std::size_t n) {
    if (at + n > bytes.size()) throw std::invalid_argument("truncated");
    at += n;
  }
};

struct Header {
  char version = 0;
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

Header read_header(Reader& r) {
  if (r.bytes.compare(r.at, 4, "TZif") != 0) throw std::invalid_argument("not a TZif file");
  Header h;
  h.version = r.bytes[r.at + 4];
  r.skip(20);
  h.isutcnt = static_cast<std::uint32_t>(r.big_endian(4));
  h.isstdcnt = static_cast<std::uint32_t>(r.big_endian(4));
  h.leapcnt = static_cast<std::uint32_t>(r.big_endian(4));
  h.timecnt = static_cast<std::uint32_t>(r.big_endian(4));
  h.typecnt = static_cast<std::uint32_t>(r.big_endian(4));
  h.charcnt = static_cast<std::uint32_t>(r.big_endian(4));
  return h;
}

std::size_t data_size(const Header& h, int time_width) {
  return h.timecnt * (time_width + 1) + h.typecnt * 6 + h.charcnt + h.leapcnt * (time_width + 4) + h.isstdcnt +
         h.isutcnt;
}

// A name that stays inside the database directory.
bool safe_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
  });
}

std::string database_dir() {
  const char* dir = std::getenv("TZDIR");
  return dir && *dir ? dir : "/usr/share/zoneinfo";
}

}  // namespace

TimeZone TimeZone::load(std::string_view name) {
  std::string unknown = "unknown time zone " + std::string(name);
  if (name == "UTC") return TimeZone();
  if (name == "Local" || !safe_name(name)) throw std::invalid_argument(unknown);
  std::ifstream file(database_dir() + "/" + std::string(name), std::ios::binary);
  if (!file) throw std::invalid_argument(unknown);
  std::stringstream content;
  content << file.rdbuf();
  std::string bytes = content.str();
  TimeZone zone;
  zone.name_ = std::string(name);
  try {
    Reader r{bytes};
    Header h = read_header(r);
    int width = 4;
    if (h.version >= '2') {  // skip the 32-bit section for the 64-bit one
      r.skip(data_size(h, 4));
      h = read_header(r);
      width = 8;
    }
    std::vector<std::int64_t> times(h.timecnt);
    for (auto& t : times) {
      std::uint64_t raw = r.big_endian(width);
      t = width == 8 ? static_cast<std::int64_t>(raw) : static_cast<std::int32_t>(raw);
    }
    std::vector<std::uint8_t> type_of(h.timecnt);
    for (auto& i : type_of) i = static_cast<std::uint8_t>(r.big_endian(1));
    std::vector<std::int32_t> offsets(h.typecnt);
    for (auto& offset : offsets) {
      offset = static_cast<std::int32_t>(r.big_endian(4));
      r.skip(2);  // isdst, abbreviation index
    }
    if (offsets.empty()) throw std::invalid_argument("no local time types");
    zone.initial_offset_ = offsets[0];
    for (std::size_t i = 0; i < times.size(); ++i) {
      if (type_of[i] >= offsets.size()) throw std::invalid_argument("bad local time type");
      zone.transitions_.push_back(times[i]);
      zone.offset_after_.push_back(offsets[type_of[i]]);
    }
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(unknown + " (" + e.what() + ")");
  }
  return zone;
}

std::chrono::seconds TimeZone::offset_at(std::chrono::sys_seconds instant) const {
  std::int64_t t = instant.time_since_epoch().count();
  auto after = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  if (after == transitions_.begin()) return std::chrono::seconds(initial_offset_);
  return std::chrono::seconds(offset_after_[after - transitions_.begin() - 1]);
}

}  // namespace skiff::sdk
