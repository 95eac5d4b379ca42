// runtime-docker: pods as Docker containers, through the Docker Engine API on its unix
// socket — an implementation of the SDK's runtime contract, served by serve_runtime().
#include <spdlog/logger.h>

#include "docker_runtime.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/plugin.hpp"
#include "skiff/sdk/runtime/serve_runtime.hpp"

namespace skiff::docker {
namespace {

using namespace skiff::sdk;
using runtime_common::PodNetworkOptions;

enum class Network { DockerBridge, Cni };

struct Settings {
  std::string socket;
  std::string api_version;
  std::string sandbox_image;
  Network network{};
  std::string network_mode;
  std::optional<std::string> cni_conf_dir;
  std::vector<std::string> cni_bin_dirs;
  std::chrono::milliseconds cni_timeout{};
  std::chrono::milliseconds timeout{};
};

const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("socket", &Settings::socket, "/var/run/docker.sock", "the Docker Engine API's unix socket"),
      bind_key("api_version", &Settings::api_version, "v1.41",
               "the Engine API version to speak (Debian's docker.io 20.10: v1.41)"),
      bind_key("sandbox_image", &Settings::sandbox_image, "skiff/pause:1",
               "the image of pod sandboxes (holds the network namespace; `make up` builds it)"),
      bind_key("network", &Settings::network, "cni", {{"docker-bridge", Network::DockerBridge}, {"cni", Network::Cni}},
               "how pods without hostNetwork get their network: a Docker network (`network_mode`), or CNI ADD on the "
               "sandbox's namespace with the conflist in `cni_conf_dir`"),
      bind_key("network_mode", &Settings::network_mode, "bridge",
               "with `network: docker-bridge`: the Docker network of pods without hostNetwork"),
      bind_key("cni_conf_dir", &Settings::cni_conf_dir, "",
               "with `network: cni`: where the node's network plugin writes the conflist (unset: `<node data dir>/cni/net.d`)"),
      bind_key("cni_bin_dirs", &Settings::cni_bin_dirs, "[/usr/lib/cni, /opt/cni/bin]",
               "with `network: cni`: where the CNI plugins are, searched in order"),
      bind_key("cni_timeout", &Settings::cni_timeout, "30s", "longest run of one CNI plugin; then it is killed and the call fails")
          .range("1s", "10m"),
      bind_key("timeout", &Settings::timeout, "30s", "longest wait for one Engine API call").range("100ms", "10m"),
  };
  return map;
}

class RuntimeDockerPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "runtime-docker";
    m.kind = "runtime";
    m.version = "0.1.0";
    m.description = "Pods as Docker containers (Docker Engine API over its unix socket)";
    m.provides = {{kRuntimeCapability, false}, {"runtime:docker", true}};
    m.config = config_map().table();
    auto serve_keys = runtime_serve_keys("docker");
    m.config.insert(m.config.end(), serve_keys.begin(), serve_keys.end());
    return m;
  }

  explicit RuntimeDockerPlugin(Context& context) : context_(context) {}

  void start() override {
    Settings settings = config_map().read(context_.config());
    client_ = std::make_unique<DockerClient>(settings.socket, settings.api_version, settings.timeout);
    if (settings.network == Network::Cni) pod_network_ = make_pod_network(settings);
    runtime_ = std::make_unique<DockerRuntime>(
        *client_, DockerRuntimeOptions{settings.sandbox_image, settings.network_mode, pod_network_.get()});
    auto version = runtime_->version();  // refuses to start when dockerd is not there
    // Before serving, so a restarted runtime never hands out an IP a dead sandbox still holds.
    runtime_->release_networks_of_dead_sandboxes(context_.log());
    RuntimeServeOptions serve = runtime_serve_options(context_.config());
    server_ = serve_runtime(context_, *runtime_, serve);
    context_.log().info("serving the runtime of node {} with docker {} at {} (handler {}{})", context_.node().node,
                        version.runtime_version(), settings.socket, serve.handler,
                        serve.serve_default ? ", the node's default" : "");
  }

  void stop() override {
    if (runtime_) runtime_->shut_down();
    server_.reset();
    runtime_.reset();
    pod_network_.reset();
  }

  Health health() override {
    if (!runtime_) return Health::failing("not started");
    auto s = runtime_->status();
    return s.ready() ? Health::ok(s.message()) : Health::failing(s.message());
  }

 private:
  std::unique_ptr<PodNetwork> make_pod_network(const Settings& settings) {
    std::string conf_dir = settings.cni_conf_dir.value_or(context_.node_data_dir() + "/cni/net.d");
    std::string bin_dirs;
    for (const auto& dir : settings.cni_bin_dirs) bin_dirs += (bin_dirs.empty() ? "" : ", ") + dir;
    context_.log().info("pods get their network from CNI: the conflist in {}, plugins from {}", conf_dir, bin_dirs);
    return std::make_unique<PodNetwork>(
        PodNetworkOptions{conf_dir, "", settings.cni_bin_dirs, settings.cni_timeout, context_.data_dir() + "/cni"});
  }

  Context& context_;
  std::unique_ptr<DockerClient> client_;
  std::unique_ptr<PodNetwork> pod_network_;
  std::unique_ptr<DockerRuntime> runtime_;
  std::unique_ptr<RuntimeServer> server_;
};

}  // namespace
}  // namespace skiff::docker

SKIFF_PLUGIN(skiff::docker::RuntimeDockerPlugin)
