// CNI plugin failures as Status: what the plugin said, with the plugin, command and network named.
#include "skiff/sdk/cni/plugin_error.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <optional>

#include "skiff/sdk/duration.hpp"

namespace skiff::sdk::cni {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxQuoted = 2000;  // of a plugin's free-form output, in a message

struct CniError {
  std::int64_t code = 0;
  std::string msg;
  std::string details;
};

// The spec's error result, when `text` is one.
std::optional<CniError> error_result(std::string_view text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const auto& object = parsed.as_object();
  if (!object.contains("code") && !object.contains("msg")) return std::nullopt;
  CniError error;
  if (const auto* code = object.if_contains("code"); code && code->is_number()) error.code = code->to_number<std::int64_t>();
  if (const auto* msg = object.if_contains("msg"); msg && msg->is_string()) error.msg = msg->as_string();
  if (const auto* details = object.if_contains("details"); details && details->is_string()) error.details = details->as_string();
  return error;
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  if (text.size() > kMaxQuoted) return "…" + std::string(text.substr(text.size() - kMaxQuoted));
  return std::string(text);
}

std::string who(const PluginRun& run) {
  return "CNI plugin " + run.plugin + " (" + std::string(command_name(run.command)) + " on network " + run.network + ")";
}

}  // namespace

Status plugin_failure(const PluginRun& run, std::string_view how_it_ended, std::string_view out, std::string_view err) {
  std::optional<CniError> error = error_result(out);
  if (!error) error = error_result(err);
  if (!error) {
    std::string said = trimmed(err.empty() ? out : err);
    return Status::Internal(who(run) + " failed with " + std::string(how_it_ended) + (said.empty() ? "" : ": " + said));
  }
  std::string message = who(run) + " failed: " + (error->msg.empty() ? "(no message)" : error->msg);
  if (!error->details.empty()) message += ": " + error->details;
  message += " (CNI error code " + std::to_string(error->code) + ")";
  // 11: try again later; 50, 51: the plugin is not available.
  if (error->code == 11 || error->code == 50 || error->code == 51) return Status::Unavailable(message);
  return Status::Internal(message);
}

Status plugin_timeout(const PluginRun& run, std::chrono::milliseconds timeout, std::string_view err) {
  std::string said = trimmed(err);
  return Status::Timeout(who(run) + " did not finish within " + format_duration(timeout) + " and was killed" +
                         (said.empty() ? "" : "; it wrote: " + said));
}

Status plugin_missing(const PluginRun& run, const std::vector<std::string>& plugin_dirs) {
  std::string dirs;
  for (const auto& dir : plugin_dirs) dirs += (dirs.empty() ? "" : ", ") + dir;
  return Status::Internal(who(run) + ": no executable '" + run.plugin + "' in " + (dirs.empty() ? "(no plugin dirs)" : dirs) +
                          "; install it there (Debian: containernetworking-plugins) or add its directory to the plugin dirs");
}

}  // namespace skiff::sdk::cni
