#include "response_batches.hpp"

namespace skiff::logging {
namespace {

// An entry's size inside a LogQueryResponse: its bytes, the field tag and the length prefix.
std::size_t encoded_size(const v1::LogEntry& entry) { return entry.ByteSizeLong() + 6; }

}  // namespace

v1::LogQueryResponse fitting_reply(std::vector<v1::LogEntry> entries, bool truncated, std::size_t max_bytes) {
  v1::LogQueryResponse reply;
  std::size_t size = 16;  // the flags
  for (auto& entry : entries) {
    size += encoded_size(entry);
    if (size > max_bytes) {
      truncated = true;
      break;
    }
    *reply.add_entries() = std::move(entry);
  }
  reply.set_truncated(truncated);
  return reply;
}

std::vector<v1::LogQueryResponse> in_batches(std::vector<v1::LogEntry> entries, std::size_t max_bytes) {
  std::vector<v1::LogQueryResponse> batches(1);
  std::size_t size = 0;
  for (auto& entry : entries) {
    std::size_t entry_size = encoded_size(entry);
    if (size > 0 && size + entry_size > max_bytes) {
      batches.emplace_back();
      size = 0;
    }
    size += entry_size;
    *batches.back().add_entries() = std::move(entry);
  }
  return batches;
}

}  // namespace skiff::logging
