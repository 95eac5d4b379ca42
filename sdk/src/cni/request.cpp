// Deriving one plugin run's input from a network configuration list and an attachment.
#include "skiff/sdk/cni/request.hpp"

#include <boost/json.hpp>

#include <cctype>

#include "skiff/sdk/status.hpp"

namespace skiff::sdk::cni {

namespace json = boost::json;

std::string_view command_name(Command command) {
  switch (command) {
    case Command::Add: return "ADD";
    case Command::Del: return "DEL";
    case Command::Check: return "CHECK";
  }
  return "";
}

void validate(const Attachment& attachment, Command command) {
  auto bad = [&](const std::string& what) {
    throw Error(Status::BadRequest("CNI " + std::string(command_name(command)) + ": " + what));
  };
  const std::string& id = attachment.container_id;
  if (id.empty() || !std::isalnum(static_cast<unsigned char>(id[0])))
    bad("the container ID \"" + id + "\" must start with a letter or digit");
  const std::string& ifname = attachment.ifname;
  if (ifname.empty() || ifname.size() > 15 || ifname == "." || ifname == ".." ||
      ifname.find_first_of("/: \t\n") != std::string::npos)
    bad("the interface name \"" + ifname + "\" is not a Linux interface name (1-15 characters, no '/', ':' or spaces)");
  if (attachment.netns.empty() && command != Command::Del) bad("no network namespace for container " + id);
  for (const auto& [key, value] : attachment.args)
    if (key.empty() || key.find_first_of("=;") != std::string::npos || value.find(';') != std::string::npos)
      bad("CNI_ARGS entry \"" + key + "=" + value + "\" cannot be written as KEY=value;…");
}

std::string cni_args(const std::vector<std::pair<std::string, std::string>>& args) {
  std::string out;
  for (const auto& [key, value] : args) out += (out.empty() ? "" : ";") + key + "=" + value;
  return out;
}

json::object plugin_request(const NetworkConfigList& list, std::size_t index, const json::object& capability_args,
                            const json::object* prev_result) {
  json::object request = list.plugins.at(index);
  request["cniVersion"] = list.cni_version;
  request["name"] = list.name;
  json::object runtime_config;
  if (const json::value* declared = request.if_contains("capabilities"); declared && declared->is_object())
    for (const auto& [capability, enabled] : declared->as_object())
      if (enabled.is_bool() && enabled.as_bool())
        if (const json::value* value = capability_args.if_contains(capability)) runtime_config[capability] = *value;
  request.erase("capabilities");
  if (!runtime_config.empty()) request["runtimeConfig"] = std::move(runtime_config);
  else request.erase("runtimeConfig");  // reserved: only the runtime sets it
  if (prev_result) request["prevResult"] = *prev_result;
  else request.erase("prevResult");
  return request;
}

std::vector<std::string> plugin_environment(Command command, const Attachment& attachment,
                                            const std::vector<std::string>& plugin_dirs) {
  std::string path;
  for (const auto& dir : plugin_dirs) path += (path.empty() ? "" : ":") + dir;
  return {"CNI_COMMAND=" + std::string(command_name(command)),
          "CNI_CONTAINERID=" + attachment.container_id,
          "CNI_NETNS=" + attachment.netns,
          "CNI_IFNAME=" + attachment.ifname,
          "CNI_ARGS=" + cni_args(attachment.args),
          "CNI_PATH=" + path};
}

}  // namespace skiff::sdk::cni
