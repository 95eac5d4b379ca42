// runtime-containerd: pods through containerd's CRI v1 (gRPC on its unix socket) — an
// implementation of the SDK's runtime contract, served by serve_runtime().
#include <spdlog/logger.h>

#include <filesystem>

#include "cni_config.hpp"
#include "containerd_settings.hpp"
#include "containerd_runtime.hpp"
#include "cri_client.hpp"
#include "skiff/sdk/plugin.hpp"
#include "skiff/sdk/runtime/serve_runtime.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::containerd {
namespace {

using namespace skiff::sdk;

class RuntimeContainerdPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "runtime-containerd";
    m.kind = "runtime";
    m.version = "0.1.0";
    m.description = "Pods through containerd's CRI v1 (gRPC on its unix socket)";
    m.provides = {{kRuntimeCapability, false}, {"runtime:containerd", true}};
    m.config = config_map().table();
    auto serve_keys = runtime_serve_keys("containerd");
    m.config.insert(m.config.end(), serve_keys.begin(), serve_keys.end());
    return m;
  }

  explicit RuntimeContainerdPlugin(Context& context) : context_(context) {}

  void start() override {
    Settings s = config_map().read(context_.config());
    client_ = std::make_unique<CriClient>(s.socket, s.timeout);
    auto version = check_containerd(s);
    std::string log_directory = s.log_directory.value_or(context_.data_dir() + "/pods");
    std::filesystem::create_directories(log_directory);
    cni_ = std::make_unique<CniConfig>(CniConfigOptions{
        s.cni_conf_dir.value_or(context_.node_data_dir() + "/cni/net.d"), context_.data_dir() + "/cni/net.d",
        s.containerd_cni_conf_dir, s.default_bridge, s.default_pod_cidr, s.default_ipam_dir});
    runtime_ = std::make_unique<ContainerdRuntime>(*client_, ContainerdRuntimeOptions{log_directory, s.cgroup_parent, cni_.get()});
    cni_->sync();
    RuntimeServeOptions serve = runtime_serve_options(context_.config());
    server_ = serve_runtime(context_, *runtime_, serve);
    context_.log().info("serving the runtime of node {} with containerd {} at {} ({} images; handler {}{}); pod network "
                        "from {}",
                        context_.node().node, version.runtime_version(), s.socket, client_->list_images().images_size(),
                        serve.handler, serve.serve_default ? ", the node's default" : "", cni_->source());
  }

  void stop() override {
    server_.reset();
    runtime_.reset();
    cni_.reset();
    client_.reset();
  }

  Health health() override {
    if (!runtime_) return Health::failing("not started");
    auto s = runtime_->status();
    return s.ready() ? Health::ok(s.message()) : Health::failing(s.message());
  }

 private:
  // Refuses to start, naming the socket and the fix, when containerd or its pause image is not there.
  cri::VersionResponse check_containerd(const Settings& s) {
    cri::VersionResponse version;
    try {
      version = client_->version();
    } catch (const Error& e) {
      throw Error(Status::Unavailable("no containerd CRI answers on " + s.socket + " (" + e.status().message +
                                      "); start Skiff's containerd with scripts/containerd.sh"));
    }
    if (!client_->image_status(s.sandbox_image).has_image())
      throw Error(Status::Unavailable("the sandbox image " + s.sandbox_image + " is not in containerd's namespace " +
                                      s.namespace_ + " at " + s.socket + "; scripts/containerd.sh builds and imports it"));
    return version;
  }

  Context& context_;
  std::unique_ptr<CriClient> client_;
  std::unique_ptr<CniConfig> cni_;
  std::unique_ptr<ContainerdRuntime> runtime_;
  std::unique_ptr<RuntimeServer> server_;
};

}  // namespace
}  // namespace skiff::containerd

SKIFF_PLUGIN(skiff::containerd::RuntimeContainerdPlugin)
