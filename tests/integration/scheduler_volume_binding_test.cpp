// The schedulers' VolumeBinding filter and pre-bind with the real volume controller and
// storage-local (no kubelet: pods are only placed): a pod with a bound local volume fits only
// that volume's node; a WaitForFirstConsumer claim gets the chosen node as selected-node and
// its volume is made there; nodes that cannot hold the volume are refused with the reason in
// the FailedScheduling event; pods parked on an unbound claim wake when it binds.
#include <gtest/gtest.h>

#include <filesystem>

#include "host_commands.hpp"
#include "plugin_node.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
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

const std::string kHere = "volume-node";  // skiffd's node: storage-local runs here
const std::string kOther = "other-node";  // a Node object only: no provisioner

// The parked-pod timeout is an hour, so only a wake-up can schedule a pod parked on a claim.
std::string plugins(const std::string& dir) {
  return "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
         "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
         "  - name: controller-manager\n    config:\n      leader_elect: false\n"
         "      controllers: [persistentvolume, volumeprotection]\n"
         "  - name: storage-local\n    config: {directory: " + dir + "}\n"
         "  - name: scheduler-default\n    config: {leader_elect: false, unschedulable_timeout: 1h}\n"
         "  - name: scheduler-binpack\n    config: {leader_elect: false, unschedulable_timeout: 1h}\n";
}

class SchedulerVolumes : public ::testing::Test {
 protected:
  SchedulerVolumes() : node_(nats_, plugins(dir_.path()), kHere) {}
  void SetUp() override {
    node_.start();
    api_ = std::make_unique<sdk::ApiClient>(node_.bus(), node_.subjects());
    add_node(kHere);
    add_node(kOther);
    // storage-local labels its node once the Node exists: WaitForFirstConsumer claims may go there.
    ASSERT_TRUE(test::wait_until([&] {
      return api_->get<core::Node>("", kHere).metadata().labels().count(vol::provisioner_node_label("skiff.io/local-storage")) == 1;
    }, 20s));
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "skiffd output:\n%s\n", node_.output().c_str());
    node_.stop();
    storage_local::HostCommands host("runtime");
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path()))
      if (entry.is_directory() && host.is_mounted(entry.path())) host.unmount(entry.path());
  }

  void add_node(const std::string& name) {
    core::Node node;
    node.mutable_metadata()->set_name(name);
    (*node.mutable_metadata()->mutable_labels())[vol::kHostnameLabel] = name;
    (*node.mutable_status()->mutable_allocatable())["cpu"] = "4";
    (*node.mutable_status()->mutable_allocatable())["memory"] = "8Gi";
    (*node.mutable_status()->mutable_allocatable())["pods"] = "110";
    api_->create(node);
  }
  void storage_class(const std::string& name, const std::string& provisioner, const std::string& mode) {
    api::storage::v1::StorageClass sc;
    sc.mutable_metadata()->set_name(name);
    sc.set_provisioner(provisioner);
    sc.set_volume_binding_mode(mode);
    sc.set_reclaim_policy("Delete");
    api_->create(sc);
  }
  // A pre-made local volume pinned to `node`.
  void local_volume(const std::string& name, const std::string& cls, const std::string& node) {
    core::PersistentVolume pv;
    pv.mutable_metadata()->set_name(name);
    (*pv.mutable_spec()->mutable_capacity())["storage"] = "1Gi";
    pv.mutable_spec()->add_access_modes("ReadWriteOnce");
    pv.mutable_spec()->set_storage_class_name(cls);
    pv.mutable_spec()->set_persistent_volume_reclaim_policy("Retain");
    pv.mutable_spec()->mutable_local()->set_path("/mnt/" + name);
    auto* term = pv.mutable_spec()->mutable_node_affinity()->mutable_required()->add_node_selector_terms();
    auto* expression = term->add_match_expressions();
    expression->set_key(vol::kHostnameLabel);
    expression->set_operator_("In");
    expression->add_values(node);
    api_->create(pv);
  }
  void claim(const std::string& name, const std::string& cls, const std::string& volume_name = "") {
    core::PersistentVolumeClaim pvc;
    pvc.mutable_metadata()->set_name(name);
    pvc.mutable_metadata()->set_namespace_("default");
    pvc.mutable_spec()->add_access_modes("ReadWriteOnce");
    (*pvc.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "16Mi";
    if (!cls.empty()) pvc.mutable_spec()->set_storage_class_name(cls);
    pvc.mutable_spec()->set_volume_name(volume_name);
    api_->create(pvc);
  }
  void pod(const std::string& name, const std::string& claim_name, const std::string& scheduler = "") {
    core::Pod p;
    p.mutable_metadata()->set_name(name);
    p.mutable_metadata()->set_namespace_("default");
    p.mutable_spec()->set_scheduler_name(scheduler);
    auto* v = p.mutable_spec()->add_volumes();
    v->set_name("data");
    v->mutable_persistent_volume_claim()->set_claim_name(claim_name);
    auto* c = p.mutable_spec()->add_containers();
    c->set_name("main");
    c->set_image("busybox");
    api_->create(p);
  }
  std::string node_of(const std::string& pod) { return api_->get<core::Pod>("default", pod).spec().node_name(); }
  bool placed(const std::string& pod) {
    return test::wait_until([&] { return !node_of(pod).empty(); }, 20s);
  }
  core::PersistentVolumeClaim get_claim(const std::string& name) {
    return api_->get<core::PersistentVolumeClaim>("default", name);
  }
  bool claim_bound(const std::string& name) {
    return test::wait_until([&] { return get_claim(name).status().phase() == "Bound"; }, 30s);
  }
  // The pod's events of `reason`, oldest first.
  std::vector<core::Event> events(const std::string& pod, const std::string& reason) {
    std::vector<core::Event> found;
    for (auto& e : api_->list<core::Event>("default"))
      if (e.involved_object().name() == pod && e.reason() == reason) found.push_back(std::move(e));
    return found;
  }
  std::string failed_scheduling(const std::string& pod) {
    std::string message;
    test::wait_until([&] {
      auto found = events(pod, "FailedScheduling");
      if (!found.empty()) message = found.back().message();
      return !found.empty();
    }, 20s);
    return message;
  }

  test::TempDir dir_;
  test::NatsServer nats_;
  test::PluginNode node_;
  std::unique_ptr<sdk::ApiClient> api_;
};

TEST_F(SchedulerVolumes, APodWithABoundLocalVolumeGoesOnlyToThatVolumesNode) {
  local_volume("pinned", "manual", kOther);
  claim("pinned-claim", "manual", "pinned");
  ASSERT_TRUE(claim_bound("pinned-claim"));
  for (const std::string name : {"follower-1", "follower-2", "follower-3"}) {
    pod(name, "pinned-claim");
    ASSERT_TRUE(placed(name)) << name;
    EXPECT_EQ(node_of(name), kOther) << name << " went where its volume is not";
  }
}

TEST_F(SchedulerVolumes, AWaitForFirstConsumerClaimGetsThePodsNodeAndItsVolumeIsMadeThere) {
  claim("wffc", "");  // the default class: local, WaitForFirstConsumer
  ASSERT_TRUE(test::wait_until([&] { return get_claim("wffc").spec().storage_class_name() == "local"; }, 10s));
  EXPECT_EQ(get_claim("wffc").status().phase(), "Pending") << "no volume before a pod uses it";
  EXPECT_EQ(get_claim("wffc").metadata().annotations().count(vol::kSelectedNode), 0u);
  pod("consumer", "wffc");
  ASSERT_TRUE(placed("consumer"));
  EXPECT_EQ(node_of("consumer"), kHere) << "only this node runs the class's provisioner";
  EXPECT_EQ(get_claim("wffc").metadata().annotations().at(vol::kSelectedNode), kHere) << "written by pre-bind";
  ASSERT_TRUE(claim_bound("wffc"));
  auto pv = api_->get<core::PersistentVolume>("", get_claim("wffc").spec().volume_name());
  EXPECT_EQ(pv.spec().node_affinity().required().node_selector_terms(0).match_expressions(0).values(0), kHere);
  EXPECT_TRUE(std::filesystem::exists(pv.spec().local().path())) << "made under this node's directory";
}

TEST_F(SchedulerVolumes, NodesThatCannotHoldTheVolumeAreRefusedWithTheReason) {
  storage_class("elsewhere", "example.com/nowhere", "WaitForFirstConsumer");  // no node runs it
  claim("unprovisionable", "elsewhere");
  pod("no-room", "unprovisionable");
  std::string message = failed_scheduling("no-room");
  EXPECT_NE(message.find("0/2 nodes are available"), std::string::npos) << message;
  EXPECT_NE(message.find("2 node(s) did not find available persistent volumes to bind"), std::string::npos) << message;

  local_volume("far", "manual", "gone-node");
  claim("far-claim", "manual", "far");
  ASSERT_TRUE(claim_bound("far-claim"));
  pod("stranded", "far-claim");
  message = failed_scheduling("stranded");
  EXPECT_NE(message.find("2 node(s) had volume node affinity conflict"), std::string::npos) << message;
  EXPECT_EQ(node_of("no-room"), "");
  EXPECT_EQ(node_of("stranded"), "");
}

// Both schedulers share the wake-up (scheduler-common). The unschedulable timeout is an hour:
// without the claim's event the pods would stay parked for the whole test.
TEST_F(SchedulerVolumes, PodsParkedOnAnUnboundImmediateClaimScheduleOnceItBinds) {
  storage_class("static", "kubernetes.io/no-provisioner", "Immediate");
  claim("later", "static");
  claim("later-too", "static");
  pod("waits", "later");
  pod("waits-packed", "later-too", "skiff-binpack");
  for (const std::string name : {"waits", "waits-packed"})
    EXPECT_NE(failed_scheduling(name).find("pod has unbound immediate PersistentVolumeClaims"), std::string::npos) << name;
  EXPECT_EQ(get_claim("later").status().phase(), "Pending");

  local_volume("arrives", "static", kOther);
  local_volume("arrives-too", "static", kOther);
  ASSERT_TRUE(claim_bound("later"));
  ASSERT_TRUE(claim_bound("later-too"));
  for (const std::string name : {"waits", "waits-packed"}) {
    ASSERT_TRUE(placed(name)) << name << " stayed parked after its claim bound";
    EXPECT_EQ(node_of(name), kOther);
    EXPECT_TRUE(test::wait_until([&] { return events(name, "Scheduled").size() == 1; }, 10s)) << name;
    EXPECT_FALSE(events(name, "FailedScheduling").empty()) << name << " was parked first";
    EXPECT_TRUE(test::wait_until([&] {
      auto placed_pod = api_->get<core::Pod>("default", name);
      for (const auto& c : placed_pod.status().conditions())
        if (c.type() == "PodScheduled") return c.status() == "True";
      return false;
    }, 10s)) << name << ": PodScheduled=False left behind";
  }
}

}  // namespace
