// storage-local: a node's local PersistentVolumes — loop-mounted ext4 images whose size is the
// claim's request, made for claims of its StorageClass and removed when released with Delete.
// A plugin of its own (not part of a cloud provider) because it runs on every node and watches
// claims itself; a cloud provider's volumes would be another provisioner beside it.
#include <spdlog/logger.h>

#include "local_provisioner.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/plugin.hpp"

namespace skiff::storage_local {
namespace {

using namespace skiff::sdk;

struct Settings {
  std::optional<std::string> directory;
  std::string provisioner;
  std::string mount_namespace;
  std::string default_class;
};

const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("directory", &Settings::directory, "",
               "where volume images and their mount points live (default: <node data dir>/volumes)"),
      bind_key("provisioner", &Settings::provisioner, "skiff.io/local-storage",
               "the provisioner name StorageClasses give to have their claims served here"),
      bind_key("mount_namespace", &Settings::mount_namespace, "runtime",
               "the mount namespace mount/umount run in (through nsenter): runtime = the running dockerd's or "
               "containerd's, a /proc/<pid>/ns/mnt path, or \"\" for skiffd's own. A node under `ip netns exec` has "
               "a private one the runtime cannot see"),
      bind_key("default_class", &Settings::default_class, "local",
               "the StorageClass (default, WaitForFirstConsumer, reclaim Delete) made if absent; \"\" makes none"),
  };
  return map;
}

class StorageLocalPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "storage-local";
    m.kind = "storage";
    m.version = "0.1.0";
    m.description = "Local PersistentVolumes of the requested size: loop-mounted ext4 images, a default StorageClass";
    m.config = config_map().table();
    return m;
  }

  explicit StorageLocalPlugin(Context& context) : context_(context) {}

  void start() override {
    Settings settings = config_map().read(context_.config());
    ProvisionerOptions options;
    options.node = context_.node().node;
    options.provisioner = settings.provisioner;
    options.directory = settings.directory.value_or(context_.node_data_dir() + "/volumes");
    options.mount_namespace = settings.mount_namespace;
    options.default_class = settings.default_class;
    provisioner_ = std::make_unique<LocalProvisioner>(context_.bus(), context_.subjects(), options, context_.log());
    provisioner_->start();
    context_.log().info("node {}: local volumes of {} under {}", options.node, options.provisioner, options.directory);
  }

  void stop() override {
    // Volumes stay mounted: pods keep their data across a plugin restart.
    if (provisioner_) provisioner_->stop();
    provisioner_.reset();
  }

  Health health() override { return provisioner_ ? Health::ok("serving") : Health::failing("not started"); }

 private:
  Context& context_;
  std::unique_ptr<LocalProvisioner> provisioner_;
};

}  // namespace
}  // namespace skiff::storage_local

SKIFF_PLUGIN(skiff::storage_local::StorageLocalPlugin)
