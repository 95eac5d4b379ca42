// LogQueryResponses sized for the bus: a reply holds what fits in one message (the rest is cut
// and marked truncated); a history stream carries the lines in batches.
#pragma once

#include <cstddef>
#include <vector>

#include "skiff/logging/v1/logging.pb.h"

namespace skiff::logging {

// NATS refuses messages above its max_payload (1 MiB unless configured): stay well below.
inline constexpr std::size_t kMaxReplyBytes = 896 * 1024;
inline constexpr std::size_t kBatchBytes = 256 * 1024;

// As many entries as fit in `max_bytes`, in order; truncated when some did not fit.
v1::LogQueryResponse fitting_reply(std::vector<v1::LogEntry> entries, bool truncated, std::size_t max_bytes = kMaxReplyBytes);
// The entries in order, in batches of at most `max_bytes` (one entry larger than that alone);
// at least one batch, so that a last one can carry done.
std::vector<v1::LogQueryResponse> in_batches(std::vector<v1::LogEntry> entries, std::size_t max_bytes = kBatchBytes);

}  // namespace skiff::logging
