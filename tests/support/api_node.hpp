// A node with store-lmdb and the apiserver on a free port: what the API tests talk to.
#pragma once

#include <memory>
#include <string>

#include "command.hpp"
#include "plugin_node.hpp"

namespace skiff::test {

class ApiNode {
 public:
  // extra_apiserver_config: more lines for the apiserver's config block (indented by 6);
  // extra_plugins: more entries for the plugin list (scheduler, controllers …).
  // node: the node's name (tests sharing a dockerd pick their own, to find their containers).
  // jetstream: the bus runs JetStream (for the logging addon).
  explicit ApiNode(const std::string& extra_apiserver_config = "", const std::string& extra_plugins = "",
                   const std::string& node = "test-node", bool jetstream = false);

  std::string kubeconfig() const { return node_.dir().file("data/kubeconfig"); }
  int port() const { return port_; }
  std::string token() const { return token_; }
  std::string ca_file() const { return node_.dir().file("data/plugins/apiserver/pki/ca.crt"); }
  PluginNode& node() { return node_; }

  // Runs `kubectl <args…>` (which binary: see kubectl_binary) against this node with a fresh cache.
  CommandResult kubectl(const std::string& binary, const std::vector<std::string>& args, const std::string& stdin_text = "",
                        std::chrono::milliseconds timeout = std::chrono::seconds(60));

 private:
  NatsServer nats_;
  PluginNode node_;
  TempDir cache_;
  int port_ = 0;
  std::string token_;
};

}  // namespace skiff::test
