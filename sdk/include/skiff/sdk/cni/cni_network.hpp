// Runs a CNI network configuration list's plugins for a runtime (CNI spec 1.0, section 3):
// ADD in order, each plugin given the previous one's result; DEL in reverse order; CHECK. Each
// plugin is a child process with a deadline, so a hung plugin cannot hang the runtime.
//
//   cni::CniNetwork network(*cni::load_network_config_list("/var/lib/skiff/cni/net.d"));
//   cni::Attachment pod;
//   pod.container_id = id;
//   pod.netns = "/proc/" + pid + "/ns/net";
//   cni::Result added = network.add(pod);                    // keep it: CHECK and DEL need it
//   std::string ip = added.sandbox_ip(pod.netns);
//   network.del(pod, added);
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "skiff/sdk/cni/network_config.hpp"
#include "skiff/sdk/cni/request.hpp"
#include "skiff/sdk/cni/result.hpp"

namespace skiff::sdk::cni {

struct CniOptions {
  std::vector<std::string> plugin_dirs = {"/usr/lib/cni", "/opt/cni/bin"};  // searched in order; also CNI_PATH
  std::chrono::milliseconds timeout = std::chrono::seconds(30);           // per plugin run; then it is killed
};

// The plugin binary for `type` from the first dir holding it; "" when none does.
std::string find_plugin(const std::string& type, const std::vector<std::string>& plugin_dirs);

class CniNetwork {
 public:
  explicit CniNetwork(NetworkConfigList config, CniOptions options = {});

  const NetworkConfigList& config() const { return config_; }

  // Attaches the container: the last plugin's result. Throws Error naming the plugin that
  // failed; what the plugins before it did stays — call del() (the spec asks for DEL after a
  // failed ADD too).
  Result add(const Attachment& attachment) const;
  // Detaches it, plugins in reverse order, with ADD's result as prevResult (nullopt when it was
  // lost: plugins then free what they can). Safe to repeat. Throws Error on the first failure.
  void del(const Attachment& attachment, const std::optional<Result>& added) const;
  // Asks every plugin whether the attachment is still as ADD left it; nothing when the list
  // says disableCheck. Throws Error naming the first plugin that says no.
  void check(const Attachment& attachment, const Result& added) const;

 private:
  // Runs plugin `index`; its stdout (a result for ADD, nothing for DEL and CHECK).
  std::string run(std::size_t index, Command command, const Attachment& attachment,
                  const boost::json::object* prev_result) const;

  NetworkConfigList config_;
  CniOptions options_;
};

}  // namespace skiff::sdk::cni
