// Executing a network configuration list: the plugins in the spec's order, one process each.
#include "skiff/sdk/cni/cni_network.hpp"

#include <unistd.h>

#include <boost/json.hpp>

#include "skiff/sdk/child_process.hpp"
#include "skiff/sdk/cni/plugin_error.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::sdk::cni {

namespace json = boost::json;

std::string find_plugin(const std::string& type, const std::vector<std::string>& plugin_dirs) {
  for (const auto& dir : plugin_dirs) {
    std::string candidate = dir + "/" + type;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

CniNetwork::CniNetwork(NetworkConfigList config, CniOptions options)
    : config_(std::move(config)), options_(std::move(options)) {}

std::string CniNetwork::run(std::size_t index, Command command, const Attachment& attachment,
                            const json::object* prev_result) const {
  PluginRun run{std::string(config_.plugins[index].at("type").as_string()), command, config_.name};
  std::string program = find_plugin(run.plugin, options_.plugin_dirs);
  if (program.empty()) throw Error(plugin_missing(run, options_.plugin_dirs));
  std::string input = json::serialize(plugin_request(config_, index, attachment.capability_args, prev_result));
  // The plugin's CNI_* variables only, none of ours.
  ProcessOutcome outcome = run_process(
      {program}, child_environment("CNI_", plugin_environment(command, attachment, options_.plugin_dirs)), input,
      options_.timeout);
  if (!outcome.wait_status) throw Error(plugin_timeout(run, options_.timeout, outcome.err));
  if (*outcome.wait_status != 0)
    throw Error(plugin_failure(run, describe_wait_status(*outcome.wait_status), outcome.out, outcome.err));
  return outcome.out;
}

Result CniNetwork::add(const Attachment& attachment) const {
  validate(attachment, Command::Add);
  std::optional<Result> previous;
  for (std::size_t i = 0; i < config_.plugins.size(); ++i) {
    std::string out = run(i, Command::Add, attachment, previous ? &previous->json : nullptr);
    std::string type(config_.plugins[i].at("type").as_string());
    // A plugin given a prevResult must pass it on; one that prints nothing changed nothing.
    if (out.find_first_not_of(" \t\r\n") == std::string::npos && previous) continue;
    previous = parse_result(out, type);
  }
  if (!previous) throw Error(Status::Internal("CNI network " + config_.name + ": ADD returned no result"));
  return *previous;
}

void CniNetwork::del(const Attachment& attachment, const std::optional<Result>& added) const {
  validate(attachment, Command::Del);
  for (std::size_t i = config_.plugins.size(); i-- > 0;) run(i, Command::Del, attachment, added ? &added->json : nullptr);
}

void CniNetwork::check(const Attachment& attachment, const Result& added) const {
  validate(attachment, Command::Check);
  if (config_.disable_check) return;
  for (std::size_t i = 0; i < config_.plugins.size(); ++i) run(i, Command::Check, attachment, &added.json);
}

}  // namespace skiff::sdk::cni
