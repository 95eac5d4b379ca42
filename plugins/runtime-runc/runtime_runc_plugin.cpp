// runtime-runc: pods on runc with no daemon — images pulled from registries into a store of its
// own, OCI bundles on overlayfs, a small monitor per container — an implementation of the SDK's
// runtime contract, served by serve_runtime().
#include <dlfcn.h>
#include <unistd.h>
#include <spdlog/logger.h>

#include <filesystem>

#include "archive_import.hpp"
#include "default_network.hpp"
#include "image_service.hpp"
#include "image_store.hpp"
#include "runc_runtime.hpp"
#include "runc_settings.hpp"
#include "skiff/sdk/plugin.hpp"
#include "skiff/sdk/runtime/serve_runtime.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::runc {
namespace {

using namespace skiff::sdk;
namespace fs = std::filesystem;

// A program built beside this plugin's .so (skiff-runc-monitor, skiff-runc-init).
std::string beside_plugin(const std::string& program) {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&beside_plugin), &info) == 0 || !info.dli_fname) return program;
  return (fs::path(info.dli_fname).parent_path() / program).string();
}

// What this machine lacks for runtime-runc, with the fix; "" when nothing.
std::string missing_prerequisite(const std::string& runc, const std::string& monitor, const std::string& init) {
  if (::geteuid() != 0) return "runtime-runc needs root (namespaces, overlayfs mounts, cgroups)";
  if (!fs::exists(runc)) return runc + " is missing: apt-get install runc";
  if (!fs::exists(monitor)) return monitor + " is missing: build the target skiff-runc-monitor";
  if (!fs::exists(init)) return init + " is missing: build the target skiff-runc-init";
  return "";
}

class RuntimeRuncPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "runtime-runc";
    m.kind = "runtime";
    m.version = "0.1.0";
    m.description = "Pods on runc with no daemon: registry pulls, OCI bundles on overlayfs, a monitor per container";
    m.provides = {{kRuntimeCapability, false}, {"runtime:runc", true}};
    m.config = config_map().table();
    auto serve_keys = runtime_serve_keys("runc");
    m.config.insert(m.config.end(), serve_keys.begin(), serve_keys.end());
    return m;
  }

  explicit RuntimeRuncPlugin(Context& context) : context_(context) {}

  void start() override {
    Settings s = config_map().read(context_.config());
    std::string monitor = s.monitor.value_or(beside_plugin("skiff-runc-monitor"));
    std::string init = s.init.value_or(beside_plugin("skiff-runc-init"));
    // Listed as an optional second runtime in the profiles: where it cannot run, it says why and
    // serves nothing (pods naming its handler are refused by the kubelet), the node runs on.
    unusable_ = missing_prerequisite(s.runc, monitor, init);
    if (!unusable_.empty()) {
      context_.log().warn("not serving: {}", unusable_);
      return;
    }
    std::string data = s.root.value_or(context_.data_dir());
    store_ = std::make_unique<ImageStore>(data + "/images");
    PullOptions pull{s.insecure_registries, s.pull_timeout};
    images_ = std::make_unique<ImageService>(*store_, pull);
    import_archives(s, pull);
    network_ = make_network(s, data);
    runc_ = std::make_unique<RuncCli>(s.runc, data + "/runc");
    runtime_ = std::make_unique<RuncRuntime>(*runc_, *store_, *images_, *network_,
                                             RuncRuntimeOptions{data, monitor, init, s.cgroup_parent, s.log_max_bytes,
                                                                s.log_max_files, network_source_});
    std::string adopted = runtime_->adopt();
    std::size_t collected = runtime_->collect_garbage();
    RuntimeServeOptions serve = runtime_serve_options(context_.config());
    server_ = serve_runtime(context_, *runtime_, serve);
    context_.log().info("serving the runtime of node {} with runc {} ({} images, {} unused blobs and layers removed; {}; "
                        "handler {}{}); pod network from {}",
                        context_.node().node, runtime_->version().runtime_version(), store_->list().size(), collected,
                        adopted, serve.handler, serve.serve_default ? ", the node's default" : "", network_source_);
  }

  void stop() override {
    server_.reset();
    runtime_.reset();
    runc_.reset();
    network_.reset();
    images_.reset();
    store_.reset();
  }

  Health health() override {
    if (!unusable_.empty()) return Health::failing("not serving: " + unusable_);
    if (!runtime_) return Health::failing("not started");
    auto s = runtime_->status();
    return s.ready() ? Health::ok(s.message()) : Health::failing(s.message());
  }

 private:
  // At every start: the archive is read again, but blobs and layers already in the store are
  // kept as they are (nothing is unpacked twice).
  void import_archives(const Settings& s, const PullOptions& pull) {
    for (const auto& archive : s.image_archives) {
      auto imported = import_image_archive(archive, *store_, pull);
      context_.log().info("imported {} image(s) from {}", imported.size(), archive);
    }
  }

  std::unique_ptr<runtime_common::PodNetwork> make_network(const Settings& s, const std::string& data) {
    std::string conf_dir = s.cni_conf_dir.value_or(context_.node_data_dir() + "/cni/net.d");
    std::string own_dir = data + "/cni/net.d";
    write_default_conflist(own_dir, default_bridge_conflist(s.default_bridge, s.default_pod_cidr, s.default_ipam_dir));
    network_source_ = "the first conflist in " + conf_dir + " (the network plugin's), else " + own_dir + " (bridge " +
                      s.default_bridge + " on " + s.default_pod_cidr + ")";
    return std::make_unique<runtime_common::PodNetwork>(
        runtime_common::PodNetworkOptions{conf_dir, own_dir, s.cni_bin_dirs, s.cni_timeout, data + "/cni/attachments"});
  }

  Context& context_;
  std::string unusable_;  // why it does not serve here ("" when it does)
  std::string network_source_;
  std::unique_ptr<ImageStore> store_;
  std::unique_ptr<ImageService> images_;
  std::unique_ptr<runtime_common::PodNetwork> network_;
  std::unique_ptr<RuncCli> runc_;
  std::unique_ptr<RuncRuntime> runtime_;
  std::unique_ptr<RuntimeServer> server_;
};

}  // namespace
}  // namespace skiff::runc

SKIFF_PLUGIN(skiff::runc::RuntimeRuncPlugin)
