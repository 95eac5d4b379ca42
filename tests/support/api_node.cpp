// The API listens on port 0; the real port is read back from the kubeconfig it writes.
#include "api_node.hpp"

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace skiff::test {

ApiNode::ApiNode(const std::string& extra, const std::string& extra_plugins, const std::string& node, bool jetstream)
    : nats_([jetstream] {
        NatsServerSettings settings;
        settings.jetstream = jetstream;
        return settings;
      }()),
      node_(nats_,
            "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
            "  - name: apiserver\n    config:\n      address: 127.0.0.1:0\n" + extra + extra_plugins,
            node) {
  node_.start();
  std::ifstream file(kubeconfig());
  std::stringstream text;
  text << file.rdbuf();
  std::smatch m;
  std::string config = text.str();
  if (!std::regex_search(config, m, std::regex(R"(server: https?://127\.0\.0\.1:([0-9]+))")))
    throw std::runtime_error("no server in the kubeconfig:\n" + config);
  port_ = std::stoi(m[1]);
  if (std::regex_search(config, m, std::regex(R"(token: ([A-Za-z0-9]+))"))) token_ = m[1];
}

CommandResult ApiNode::kubectl(const std::string& binary, const std::vector<std::string>& args,
                               const std::string& stdin_text, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {binary, "--cache-dir", cache_.path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, {"KUBECONFIG=" + kubeconfig(), "HOME=" + cache_.path()}, timeout, stdin_text);
}

}  // namespace skiff::test
