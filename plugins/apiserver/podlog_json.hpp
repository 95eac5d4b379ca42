// logging.skiff.io/v1 PodLog items as JSON: one stored log line with the pod it came from.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "skiff/logging/v1/logging.pb.h"

namespace skiff::apiserver {

// RFC 3339 with nanoseconds, trailing zeros dropped (Go's time.RFC3339Nano).
std::string format_rfc3339_nano(std::int64_t unix_nano);
// JSON strings must be UTF-8: valid UTF-8 is kept as it is, any other byte written as \xNN
// (and a backslash as \\, so the text reads back unambiguously).
std::string escape_binary(std::string_view bytes);
bool is_utf8(std::string_view bytes);
// {namespace, pod, podUID, container, node, stream, time, line, labels}; a line that is not
// UTF-8 is escaped in `line` and given exactly in `lineBase64`.
boost::json::object podlog_item(const logging::v1::LogLine& line);

}  // namespace skiff::apiserver
