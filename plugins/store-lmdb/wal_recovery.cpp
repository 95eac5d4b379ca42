#include "wal_recovery.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crc32c.hpp"
#include "skiff/sdk/status.hpp"
#include "wal_file.hpp"

namespace skiff::store {
namespace {

using sdk::Error;
using sdk::Status;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Status::Internal("store: cannot read the log segment " + path + "; check its permissions"));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

bool all_zero(std::string_view bytes) {
  return bytes.find_first_not_of('\0') == std::string_view::npos;
}

// Where the intact records of one segment end (its size when nothing is damaged).
std::size_t read_segment(const std::string& path, const std::string& bytes,
                         const std::function<void(std::string_view)>& each, std::size_t& records) {
  if (!std::string_view(bytes).starts_with(kWalMagic))
    throw Error(Status::Internal("store: " + path + " is not a store-lmdb log segment (no " + std::string(kWalMagic) +
                                 " header); move it out of the wal directory"));
  std::size_t offset = kWalMagic.size();
  while (offset + kWalFrameHeader <= bytes.size()) {
    std::uint32_t length, crc;
    std::memcpy(&length, bytes.data() + offset, 4);
    std::memcpy(&crc, bytes.data() + offset + 4, 4);
    if (length == 0 && crc == 0) break;  // preallocated space: the end of what was written
    std::size_t start = offset + kWalFrameHeader;
    if (length > bytes.size() - start) return offset;
    std::string_view payload(bytes.data() + start, length);
    if (crc32c(payload) != crc) return offset;
    each(payload);
    ++records;
    offset = start + length;
  }
  return all_zero(std::string_view(bytes).substr(std::min(offset, bytes.size()))) ? bytes.size() : offset;
}

}  // namespace

WalReadSummary read_wal(const std::string& wal_dir, const std::function<void(std::string_view payload)>& each) {
  WalReadSummary summary;
  auto segments = wal_segments(wal_dir);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& path = segments[i].second;
    std::string bytes = read_file(path);
    std::size_t end = read_segment(path, bytes, each, summary.records);
    ++summary.segments;
    if (end == bytes.size()) continue;
    if (i + 1 < segments.size())
      throw Error(Status::Internal(
          "store: the log segment " + path + " is damaged at byte " + std::to_string(end) +
          " (a record fails its CRC32C check), and later segments follow it, so acknowledged writes would be lost; "
          "restore the data dir from a backup, or move the wal directory away to start from the last checkpoint "
          "(writes after it are lost)"));
    std::size_t last_written = std::string_view(bytes).find_last_not_of('\0');
    summary.torn_bytes = last_written + 1 - end;  // a bad frame is never all zeros, so last_written >= end
  }
  return summary;
}

void remove_wal_segments(const std::string& wal_dir) {
  for (const auto& [sequence, path] : wal_segments(wal_dir)) std::filesystem::remove(path);
}

}  // namespace skiff::store
