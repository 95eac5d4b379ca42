#include "exec_status.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace skiff::containerd {

namespace json = boost::json;

namespace {

std::string string_at(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : "";
}

// The shell's convention, which kubectl users see from Docker too: 127 for a command that is
// not there, 126 for one that cannot run.
ExecOutcome could_not_run(std::string message) {
  bool missing = message.find("not found") != std::string::npos || message.find("no such file") != std::string::npos;
  return {missing ? 127 : 126, std::move(message)};
}

}  // namespace

ExecOutcome parse_exec_status(std::string_view error_stream) {
  if (error_stream.find_first_not_of(" \r\n\t") == std::string_view::npos) return {};
  boost::system::error_code ec;
  json::value parsed = json::parse(error_stream, ec);
  // Protocol v1 wrote the error as plain text.
  if (ec || !parsed.is_object()) return could_not_run(std::string(error_stream));
  const auto& status = parsed.as_object();
  if (string_at(status, "status") == "Success") return {};
  if (string_at(status, "reason") == "NonZeroExitCode")
    if (const auto* details = status.if_contains("details"); details && details->is_object())
      if (const auto* causes = details->as_object().if_contains("causes"); causes && causes->is_array())
        for (const auto& cause : causes->as_array()) {
          if (!cause.is_object() || string_at(cause.as_object(), "reason") != "ExitCode") continue;
          std::string text = string_at(cause.as_object(), "message");
          int code = 0;
          auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), code);
          if (error == std::errc() && end == text.data() + text.size()) return {code, ""};
        }
  std::string message = string_at(status, "message");
  return could_not_run(message.empty() ? std::string(error_stream) : message);
}

}  // namespace skiff::containerd
