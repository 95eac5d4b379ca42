// runtime-containerd: pods through containerd's CRI v1 (gRPC on its unix socket) — an
// implementation of the SDK's runtime contract, served by serve_runtime().
#include <spdlog/logger.h>

#include <filesystem>

#include "cni_config.hpp"
#include "containerd_runtime.hpp"
#include "cri_client.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/plugin.hpp"
#include "skiff/sdk/runtime/serve_runtime.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::containerd {
namespace {

using namespace skiff::sdk;

struct Settings {
  std::string socket;
  std::string namespace_;
  std::string sandbox_image;
  std::optional<std::string> log_directory;
  std::optional<std::string> cni_conf_dir;
  std::string containerd_cni_conf_dir;
  std::string default_bridge;
  std::string default_pod_cidr;
  std::string cgroup_parent;
  std::chrono::milliseconds timeout{};
};

const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("socket", &Settings::socket, "/run/skiff/containerd/containerd.sock",
               "containerd's gRPC socket (Skiff's own containerd: `scripts/containerd.sh` starts it)"),
      bind_key("namespace", &Settings::namespace_, "k8s.io",
               "the containerd namespace of pods and images (CRI's; import images there: `ctr -n k8s.io images import`)"),
      bind_key("sandbox_image", &Settings::sandbox_image, "skiff/pause:1",
               "the pod sandbox image, checked at start (containerd's config names it: its CRI `sandbox_image`)"),
      bind_key("log_directory", &Settings::log_directory, "",
               "where CRI writes container logs, one directory per pod (unset: `<plugin data dir>/pods`)"),
      bind_key("cni_conf_dir", &Settings::cni_conf_dir, "",
               "where the node's network plugin writes its conflist (unset: `<node data dir>/cni/net.d`)"),
      bind_key("containerd_cni_conf_dir", &Settings::containerd_cni_conf_dir, "/run/skiff/containerd/net.d",
               "the CNI conf dir of containerd's config, which this plugin keeps filled (scripts/containerd.sh's)"),
      bind_key("default_bridge", &Settings::default_bridge, "skiff-cd0",
               "without a network plugin's conflist: the bridge of the default CNI network"),
      bind_key("default_pod_cidr", &Settings::default_pod_cidr, "10.88.0.0/16",
               "without a network plugin's conflist: the default network's subnet (the node's podCIDR once the kubelet "
               "passes it on)"),
      bind_key("cgroup_parent", &Settings::cgroup_parent, "/skiff", "the cgroup (cgroupfs) pods are created under"),
      bind_key("timeout", &Settings::timeout, "30s", "longest wait for one CRI call (stops add their grace period)")
          .range("100ms", "10m"),
  };
  return map;
}

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
        s.containerd_cni_conf_dir, s.default_bridge, s.default_pod_cidr, context_.data_dir() + "/cni/ipam"});
    runtime_ = std::make_unique<ContainerdRuntime>(*client_, ContainerdRuntimeOptions{log_directory, s.cgroup_parent, cni_.get()});
    cni_->sync();
    RuntimeServeOptions serve = runtime_serve_options(context_.config());
    server_ = serve_runtime(context_, *runtime_, serve);
    context_.log().info("serving the runtime of node {} with containerd {} at {} (handler {}{}); pod network from {}",
                        context_.node().node, version.runtime_version(), s.socket, serve.handler,
                        serve.serve_default ? ", the node's default" : "", cni_->source());
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
