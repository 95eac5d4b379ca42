// storage-local through skiffd with a real store, apiserver and controller-manager: the default
// class is made, an Immediate claim is provisioned on the node that wins it, bound, and its
// volume unmounted and removed when the claim goes (Delete) or kept Released (Retain).
#include <gtest/gtest.h>

#include <filesystem>

#include "host_commands.hpp"
#include "plugin_node.hpp"
#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/storage/v1/storage.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/storage/volumes.hpp"
#include "skiff/testing/temp_dir.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;
namespace vol = sdk::storage;

std::string plugins(const std::string& dir) {
  return "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
         "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
         "  - name: controller-manager\n    config:\n      leader_elect: false\n"
         "      controllers: [persistentvolume, volumeprotection]\n"
         "  - name: storage-local\n    config: {directory: " + dir + "}\n";
}

class StorageLocal : public ::testing::Test {
 protected:
  StorageLocal() : node_(nats_, plugins(dir_.path()), "volume-node") {}
  void SetUp() override {
    node_.start();
    api_ = std::make_unique<sdk::ApiClient>(node_.bus(), node_.subjects());
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "skiffd output:\n%s\n", node_.output().c_str());
    node_.stop();
    // Anything a failed test left mounted goes with the directory.
    storage_local::HostCommands host("runtime");
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path()))
      if (entry.is_directory() && host.is_mounted(entry.path())) host.unmount(entry.path());
  }
  void immediate_class(const std::string& name, const std::string& policy) {
    api::storage::v1::StorageClass sc;
    sc.mutable_metadata()->set_name(name);
    sc.set_provisioner("skiff.io/local-storage");
    sc.set_volume_binding_mode("Immediate");
    sc.set_reclaim_policy(policy);
    api_->create(sc);
  }
  core::PersistentVolumeClaim claim(const std::string& name, const std::string& cls) {
    core::PersistentVolumeClaim pvc;
    pvc.mutable_metadata()->set_name(name);
    pvc.mutable_metadata()->set_namespace_("default");
    pvc.mutable_spec()->add_access_modes("ReadWriteOnce");
    (*pvc.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "16Mi";
    pvc.mutable_spec()->set_storage_class_name(cls);
    return api_->create(pvc);
  }
  bool bound(const std::string& name) {
    return test::wait_until([&] {
      return api_->get<core::PersistentVolumeClaim>("default", name).status().phase() == "Bound";
    }, 30s);
  }
  template <class T>
  bool gone(const std::string& ns, const std::string& name) {
    return test::wait_until([&] {
      try {
        api_->get<T>(ns, name);
        return false;
      } catch (const sdk::Error& e) {
        return e.status().code == 404;
      }
    }, 30s);
  }

  test::TempDir dir_;
  test::NatsServer nats_;
  test::PluginNode node_;
  std::unique_ptr<sdk::ApiClient> api_;
  storage_local::HostCommands host_{"runtime"};
};

TEST_F(StorageLocal, TheDefaultClassIsMadeIfAbsent) {
  ASSERT_TRUE(test::wait_until([&] {
    try {
      auto sc = api_->get<api::storage::v1::StorageClass>("", "local");
      return sc.volume_binding_mode() == "WaitForFirstConsumer" && sc.provisioner() == "skiff.io/local-storage" &&
             sc.metadata().annotations().at(vol::kDefaultClassAnnotation) == "true";
    } catch (const sdk::Error&) {
      return false;
    }
  }, 20s));
}

TEST_F(StorageLocal, AnImmediateClaimIsProvisionedHereAndDeletedWithIt) {
  immediate_class("now", "Delete");
  auto pvc = claim("data", "now");
  ASSERT_TRUE(bound("data"));
  pvc = api_->get<core::PersistentVolumeClaim>("default", "data");
  EXPECT_EQ(pvc.metadata().annotations().at(vol::kSelectedNode), "volume-node");
  std::string name = "pvc-" + pvc.metadata().uid();
  EXPECT_EQ(pvc.spec().volume_name(), name);
  EXPECT_EQ(pvc.status().capacity().at("storage"), "16Mi");
  auto pv = api_->get<core::PersistentVolume>("", name);
  EXPECT_EQ(pv.spec().local().path(), dir_.path() + "/" + name);
  EXPECT_EQ(pv.spec().node_affinity().required().node_selector_terms(0).match_expressions(0).values(0), "volume-node");
  EXPECT_EQ(pv.spec().persistent_volume_reclaim_policy(), "Delete");
  EXPECT_TRUE(host_.is_mounted(pv.spec().local().path()));
  EXPECT_GE(host_.available_bytes(pv.spec().local().path()), 16 * 1024 * 1024);

  api_->erase<core::PersistentVolumeClaim>("default", "data");
  ASSERT_TRUE(gone<core::PersistentVolume>("", name)) << "Released with Delete: removed";
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/" + name));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/" + name + ".img"));
}

TEST_F(StorageLocal, RetainKeepsTheVolumeAndItsData) {
  immediate_class("keep", "Retain");
  auto pvc = claim("data", "keep");
  ASSERT_TRUE(bound("data"));
  std::string name = "pvc-" + pvc.metadata().uid();
  api_->erase<core::PersistentVolumeClaim>("default", "data");
  ASSERT_TRUE(test::wait_until([&] { return api_->get<core::PersistentVolume>("", name).status().phase() == "Released"; }, 30s));
  EXPECT_TRUE(host_.is_mounted(dir_.path() + "/" + name));
  // The test's own cleanup: the PV by hand, then its mount and image.
  auto pv = api_->get<core::PersistentVolume>("", name);
  api_->erase<core::PersistentVolume>("", name);
  host_.unmount(dir_.path() + "/" + name);
}

}  // namespace
