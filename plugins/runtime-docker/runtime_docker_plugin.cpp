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

struct Settings {
  std::string socket;
  std::string api_version;
  std::string sandbox_image;
  std::string network_mode;
  std::chrono::milliseconds timeout{};
};

const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("socket", &Settings::socket, "/var/run/docker.sock", "the Docker Engine API's unix socket"),
      bind_key("api_version", &Settings::api_version, "v1.41",
               "the Engine API version to speak (Debian's docker.io 20.10: v1.41)"),
      bind_key("sandbox_image", &Settings::sandbox_image, "skiff/pause:1",
               "the image of pod sandboxes (holds the network namespace; `make up` builds it)"),
      bind_key("network_mode", &Settings::network_mode, "bridge", "the Docker network of pods without hostNetwork"),
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
    runtime_ = std::make_unique<DockerRuntime>(*client_, DockerRuntimeOptions{settings.sandbox_image, settings.network_mode});
    auto version = runtime_->version();  // refuses to start when dockerd is not there
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
  }

  Health health() override {
    if (!runtime_) return Health::failing("not started");
    auto s = runtime_->status();
    return s.ready() ? Health::ok(s.message()) : Health::failing(s.message());
  }

 private:
  Context& context_;
  std::unique_ptr<DockerClient> client_;
  std::unique_ptr<DockerRuntime> runtime_;
  std::unique_ptr<RuntimeServer> server_;
};

}  // namespace
}  // namespace skiff::docker

SKIFF_PLUGIN(skiff::docker::RuntimeDockerPlugin)
