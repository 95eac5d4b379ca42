// The persistentvolume and volumeprotection controllers against a real bus, store, apiserver
// and controller-manager: binding, phases, provisioning hand-off, reclaim, protection, events.
#include <gtest/gtest.h>

#include "plugin_node.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/storage/v1/storage.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/storage/volumes.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;
namespace vol = sdk::storage;

const char* const kPlugins =
    "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
    "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
    "  - name: controller-manager\n    config:\n      leader_elect: false\n"
    "      controllers: [persistentvolume, volumeprotection]\n";

core::PersistentVolume host_volume(const std::string& name, const std::string& size, const std::string& policy = "Retain") {
  core::PersistentVolume pv;
  pv.mutable_metadata()->set_name(name);
  (*pv.mutable_spec()->mutable_capacity())["storage"] = size;
  pv.mutable_spec()->add_access_modes("ReadWriteOnce");
  pv.mutable_spec()->set_storage_class_name("manual");
  pv.mutable_spec()->set_persistent_volume_reclaim_policy(policy);
  pv.mutable_spec()->mutable_host_path()->set_path("/tmp/skiff-test-" + name);
  return pv;
}

core::PersistentVolumeClaim claim(const std::string& name, const std::string& size, const std::string& cls = "manual") {
  core::PersistentVolumeClaim pvc;
  pvc.mutable_metadata()->set_name(name);
  pvc.mutable_metadata()->set_namespace_("default");
  pvc.mutable_spec()->add_access_modes("ReadWriteOnce");
  (*pvc.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = size;
  pvc.mutable_spec()->set_storage_class_name(cls);
  return pvc;
}

class VolumeControllers : public ::testing::Test {
 protected:
  VolumeControllers() : node_(nats_, kPlugins) {}
  void SetUp() override {
    node_.start();
    api_ = std::make_unique<sdk::ApiClient>(node_.bus(), node_.subjects());
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "skiffd output:\n%s\n", node_.output().c_str());
  }
  core::PersistentVolumeClaim get_claim(const std::string& name) { return api_->get<core::PersistentVolumeClaim>("default", name); }
  core::PersistentVolume get_volume(const std::string& name) { return api_->get<core::PersistentVolume>("", name); }
  bool claim_phase(const std::string& name, const std::string& phase) {
    return test::wait_until([&] { return get_claim(name).status().phase() == phase; }, 15s);
  }
  bool volume_phase(const std::string& name, const std::string& phase) {
    return test::wait_until([&] { return get_volume(name).status().phase() == phase; }, 15s);
  }
  std::vector<core::Event> events_for(const std::string& name, const std::string& reason) {
    std::vector<core::Event> out;
    for (auto& e : api_->list<core::Event>("default"))
      if (e.involved_object().name() == name && e.reason() == reason) out.push_back(std::move(e));
    return out;
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
    }, 15s);
  }

  test::NatsServer nats_;
  test::PluginNode node_;
  std::unique_ptr<sdk::ApiClient> api_;
};

TEST_F(VolumeControllers, AClaimBindsTheSmallestVolumeThatFits) {
  api_->create(host_volume("pv-big", "10Gi"));
  api_->create(host_volume("pv-fit", "2Gi"));
  api_->create(host_volume("pv-small", "512Mi"));
  ASSERT_TRUE(volume_phase("pv-fit", "Available"));
  api_->create(claim("data", "1Gi"));
  ASSERT_TRUE(claim_phase("data", "Bound"));
  auto pvc = get_claim("data");
  EXPECT_EQ(pvc.spec().volume_name(), "pv-fit");
  EXPECT_EQ(pvc.status().capacity().at("storage"), "2Gi");
  EXPECT_EQ(pvc.status().access_modes_size(), 1);
  ASSERT_TRUE(volume_phase("pv-fit", "Bound"));
  auto pv = get_volume("pv-fit");
  EXPECT_EQ(pv.spec().claim_ref().name(), "data");
  EXPECT_EQ(pv.spec().claim_ref().uid(), pvc.metadata().uid());
  EXPECT_EQ(get_volume("pv-big").status().phase(), "Available");
}

TEST_F(VolumeControllers, RetainKeepsTheVolumeReleasedAfterTheClaimGoes) {
  api_->create(host_volume("pv-keep", "1Gi", "Retain"));
  api_->create(claim("data", "1Gi"));
  ASSERT_TRUE(claim_phase("data", "Bound"));
  api_->erase<core::PersistentVolumeClaim>("default", "data");
  ASSERT_TRUE(gone<core::PersistentVolumeClaim>("default", "data")) << "no pod uses it: the protection finalizer goes";
  ASSERT_TRUE(volume_phase("pv-keep", "Released"));
  api_->create(claim("again", "1Gi"));
  ASSERT_TRUE(claim_phase("again", "Pending"));
  EXPECT_TRUE(test::wait_until([&] { return !events_for("again", "FailedBinding").empty() ||
                                            !events_for("again", "ExternalProvisioning").empty() ||
                                            !events_for("again", "ProvisioningFailed").empty(); }, 10s));
  EXPECT_TRUE(get_claim("again").spec().volume_name().empty()) << "a released volume is never bound again";
}

TEST_F(VolumeControllers, DeleteWithoutAProvisionerFailsTheVolume) {
  api_->create(host_volume("pv-del", "1Gi", "Delete"));
  api_->create(claim("data", "1Gi"));
  ASSERT_TRUE(claim_phase("data", "Bound"));
  api_->erase<core::PersistentVolumeClaim>("default", "data");
  ASSERT_TRUE(volume_phase("pv-del", "Failed"));
  EXPECT_EQ(get_volume("pv-del").status().reason(), "VolumeFailedDelete");
}

TEST_F(VolumeControllers, AnUnsatisfiableClaimStaysPendingWithOneEvent) {
  auto pvc = claim("huge", "1Ti", "");
  api_->create(pvc);
  ASSERT_TRUE(test::wait_until([&] { return !events_for("huge", "FailedBinding").empty(); }, 10s));
  auto event = events_for("huge", "FailedBinding").front();
  EXPECT_EQ(event.type(), "Warning");
  EXPECT_EQ(event.message(), "no persistent volumes available for this claim and no storage class is set");
  // Unrelated changes to the claim re-sync it; the reason is told once, not on each sync.
  for (int i = 0; i < 5; ++i) {
    auto current = get_claim("huge");
    (*current.mutable_metadata()->mutable_labels())["touch"] = std::to_string(i);
    api_->update(current);
  }
  api_->create(host_volume("pv-other", "1Gi"));  // a change of volumes re-syncs every waiting claim
  ASSERT_TRUE(volume_phase("pv-other", "Available"));
  auto again = events_for("huge", "FailedBinding");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again.front().count(), 1);
  EXPECT_EQ(get_claim("huge").status().phase(), "Pending");
}

TEST_F(VolumeControllers, AClaimOfAProvisionedClassIsHandedToItsProvisioner) {
  api::storage::v1::StorageClass sc;
  sc.mutable_metadata()->set_name("fast");
  sc.set_provisioner("example.com/fast");
  api_->create(sc);
  api_->create(claim("data", "1Gi", "fast"));
  ASSERT_TRUE(test::wait_until([&] {
    auto pvc = get_claim("data");
    const auto& a = pvc.metadata().annotations();
    return a.count(vol::kStorageProvisioner) && a.at(vol::kStorageProvisioner) == "example.com/fast";
  }, 10s));
  EXPECT_TRUE(test::wait_until([&] { return !events_for("data", "ExternalProvisioning").empty(); }, 10s));
  sc.mutable_metadata()->set_name("later");
  sc.set_volume_binding_mode("WaitForFirstConsumer");
  api_->create(sc);
  api_->create(claim("delayed", "1Gi", "later"));
  ASSERT_TRUE(test::wait_until([&] { return !events_for("delayed", "WaitForFirstConsumer").empty(); }, 10s));
  EXPECT_EQ(get_claim("delayed").metadata().annotations().count(vol::kStorageProvisioner), 0u)
      << "no hand-off before the scheduler picks a node";
}

TEST_F(VolumeControllers, AClaimInUseIsKeptUntilItsPodIsGone) {
  api_->create(host_volume("pv-1", "1Gi"));
  api_->create(claim("data", "1Gi"));
  ASSERT_TRUE(claim_phase("data", "Bound"));
  core::Pod pod;
  pod.mutable_metadata()->set_name("user");
  pod.mutable_metadata()->set_namespace_("default");
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image("busybox:1");
  auto* v = pod.mutable_spec()->add_volumes();
  v->set_name("data");
  v->mutable_persistent_volume_claim()->set_claim_name("data");
  api_->create(pod);
  api_->create(claim("unused", "5Gi", ""));
  api_->erase<core::PersistentVolumeClaim>("default", "data");
  api_->erase<core::PersistentVolumeClaim>("default", "unused");
  // Once the unused claim deleted after it is gone, the controller has seen both deletions.
  ASSERT_TRUE(gone<core::PersistentVolumeClaim>("default", "unused"));
  auto deleting = get_claim("data");
  EXPECT_FALSE(deleting.metadata().deletion_timestamp().empty());
  EXPECT_EQ(deleting.metadata().finalizers(0), vol::kClaimProtection);
  api_->erase<core::PersistentVolume>("", "pv-1");
  EXPECT_EQ(get_volume("pv-1").metadata().finalizers(0), vol::kVolumeProtection) << "a Bound volume is kept";
  EXPECT_EQ(get_claim("data").metadata().finalizers_size(), 1);
  api_->erase<core::Pod>("default", "user");  // unscheduled: removed at once
  ASSERT_TRUE(gone<core::PersistentVolumeClaim>("default", "data"));
  ASSERT_TRUE(gone<core::PersistentVolume>("", "pv-1")) << "released, then let go";
}

}  // namespace
