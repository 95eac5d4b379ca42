// PersistentVolume, PersistentVolumeClaim and StorageClass validation: Kubernetes' rules, each
// failure naming its field as kubectl prints it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "defaults.hpp"
#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/storage/v1/storage.pb.h"
#include "validation_causes.hpp"

namespace {

using namespace skiff;
using namespace skiff::validation_testing;
namespace core = api::core::v1;
namespace storage = api::storage::v1;
using Causes = std::vector<std::string>;

const std::string kModes = "supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"";

core::PersistentVolumeClaim claim(const std::string& size = "1Gi") {
  core::PersistentVolumeClaim pvc;
  name(pvc, "data");
  pvc.mutable_spec()->add_access_modes("ReadWriteOnce");
  (*pvc.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = size;
  apiserver::apply_defaults(pvc);
  return pvc;
}

core::PersistentVolume volume() {
  core::PersistentVolume pv;
  name(pv, "pv-1", "");
  pv.mutable_spec()->add_access_modes("ReadWriteOnce");
  (*pv.mutable_spec()->mutable_capacity())["storage"] = "5Gi";
  pv.mutable_spec()->mutable_host_path()->set_path("/srv/pv-1");
  apiserver::apply_defaults(pv);
  return pv;
}

storage::StorageClass storage_class() {
  storage::StorageClass sc;
  name(sc, "local", "");
  sc.set_provisioner("skiff.io/local-storage");
  apiserver::apply_defaults(sc);
  return sc;
}

TEST(ClaimValidation, AWellFormedClaimPasses) { EXPECT_EQ(causes(claim()), Causes{}); }

TEST(ClaimValidation, SizeMustBePresentAndPositive) {
  EXPECT_EQ(causes(claim("-1Gi")), Causes{"spec.resources[storage]: Invalid value: \"-1Gi\": must be greater than zero"});
  EXPECT_EQ(causes(claim("0")), Causes{"spec.resources[storage]: Invalid value: \"0\": must be greater than zero"});
  auto none = claim();
  none.mutable_spec()->mutable_resources()->mutable_requests()->clear();
  EXPECT_EQ(causes(none), Causes{"spec.resources[storage]: Required value"});
}

TEST(ClaimValidation, AccessModesKnownAndPresent) {
  auto pvc = claim();
  pvc.mutable_spec()->set_access_modes(0, "ReadWriteSometimes");
  EXPECT_EQ(causes(pvc), Causes{"spec.accessModes: Unsupported value: \"ReadWriteSometimes\": " + kModes});
  pvc.mutable_spec()->clear_access_modes();
  EXPECT_EQ(causes(pvc), Causes{"spec.accessModes: Required value: at least 1 access mode is required"});
  pvc.mutable_spec()->add_access_modes("ReadWriteOncePod");
  pvc.mutable_spec()->add_access_modes("ReadWriteOnce");
  EXPECT_EQ(causes(pvc), Causes{"spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"});
}

TEST(ClaimValidation, ClassNameAndVolumeMode) {
  auto pvc = claim();
  pvc.mutable_spec()->set_storage_class_name("Fast_SSD");
  ASSERT_EQ(causes(pvc).size(), 1u);
  EXPECT_EQ(causes(pvc)[0].rfind("spec.storageClassName: Invalid value: \"Fast_SSD\": a lowercase RFC 1123 subdomain", 0), 0u);
  pvc.mutable_spec()->set_storage_class_name("");
  EXPECT_EQ(causes(pvc), Causes{}) << "\"\" asks for a volume of no class";
  pvc.mutable_spec()->set_volume_mode("Raw");
  EXPECT_EQ(causes(pvc), Causes{"spec.volumeMode: Unsupported value: \"Raw\": supported values: \"Block\", \"Filesystem\""});
}

TEST(ClaimValidation, SpecIsImmutableButForTheBindingAndABoundClaimsSize) {
  auto old = claim();
  auto bound = old;
  bound.mutable_spec()->set_volume_name("pv-1");
  EXPECT_EQ(causes(bound, &old), Causes{}) << "the controller binds by setting volumeName once";
  auto rebound = bound;
  rebound.mutable_spec()->set_volume_name("pv-2");
  EXPECT_EQ(causes(rebound, &bound), Causes{"spec: Forbidden: spec is immutable after creation except resources.requests "
                                            "and volumeAttributesClassName for bound claims"});
  auto grown = bound;
  (*grown.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "2Gi";
  EXPECT_EQ(causes(grown, &bound), Causes{});
  auto unbound_grown = old;
  (*unbound_grown.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "2Gi";
  EXPECT_EQ(causes(unbound_grown, &old).size(), 1u);
}

TEST(VolumeValidation, AWellFormedVolumePassesWithDefaults) {
  auto pv = volume();
  EXPECT_EQ(causes(pv), Causes{});
  EXPECT_EQ(pv.spec().persistent_volume_reclaim_policy(), "Retain");
  EXPECT_EQ(pv.spec().volume_mode(), "Filesystem");
}

TEST(VolumeValidation, CapacityIsStorageOnlyAndPositive) {
  auto pv = volume();
  (*pv.mutable_spec()->mutable_capacity())["storage"] = "-5Gi";
  EXPECT_EQ(causes(pv), Causes{"spec.capacity[storage]: Invalid value: \"-5Gi\": must be greater than zero"});
  pv.mutable_spec()->mutable_capacity()->clear();
  auto all = causes(pv);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], "spec.capacity: Required value");
  EXPECT_EQ(all[1].rfind("spec.capacity: Unsupported value:", 0), 0u) << all[1];
}

TEST(VolumeValidation, OneSourceWithAPathAndLocalNeedsNodeAffinity) {
  auto pv = volume();
  pv.mutable_spec()->clear_host_path();
  EXPECT_EQ(causes(pv), Causes{"spec: Required value: must specify a volume type"});
  pv.mutable_spec()->mutable_local()->set_path("/var/lib/skiff/volumes/pv-1");
  EXPECT_EQ(causes(pv), Causes{"spec.nodeAffinity: Required value: Local volume requires node affinity"});
  auto* term = pv.mutable_spec()->mutable_node_affinity()->mutable_required()->add_node_selector_terms();
  auto* req = term->add_match_expressions();
  req->set_key("kubernetes.io/hostname");
  req->set_operator_("In");
  req->add_values("node-a");
  EXPECT_EQ(causes(pv), Causes{});
  pv.mutable_spec()->mutable_host_path()->set_path("/x");
  EXPECT_EQ(causes(pv), Causes{"spec.local: Forbidden: may not specify more than 1 volume type"});
  pv.mutable_spec()->clear_host_path();
  pv.mutable_spec()->mutable_local()->set_path("/srv/../etc");
  EXPECT_EQ(causes(pv), Causes{"spec.local.path: Invalid value: \"/srv/../etc\": must not contain '..'"});
}

TEST(VolumeValidation, UnknownModesAndPoliciesNamed) {
  auto pv = volume();
  pv.mutable_spec()->add_access_modes("WriteMany");
  pv.mutable_spec()->set_persistent_volume_reclaim_policy("Shred");
  EXPECT_EQ(causes(pv), (Causes{"spec.accessModes: Unsupported value: \"WriteMany\": " + kModes,
                                "spec.persistentVolumeReclaimPolicy: Unsupported value: \"Shred\": supported values: "
                                "\"Delete\", \"Recycle\", \"Retain\""}));
}

TEST(VolumeValidation, SourceIsImmutable) {
  auto old = volume();
  auto moved = old;
  moved.mutable_spec()->mutable_host_path()->set_path("/srv/elsewhere");
  EXPECT_EQ(causes(moved, &old),
            Causes{"spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation"});
  auto claimed = old;
  claimed.mutable_spec()->mutable_claim_ref()->set_name("data");
  EXPECT_EQ(causes(claimed, &old), Causes{}) << "binding sets claimRef";
}

TEST(StorageClassValidation, DefaultsAndKnownValues) {
  auto sc = storage_class();
  EXPECT_EQ(causes(sc), Causes{});
  EXPECT_EQ(sc.reclaim_policy(), "Delete");
  EXPECT_EQ(sc.volume_binding_mode(), "Immediate");
  sc.set_reclaim_policy("Recycle");
  sc.set_volume_binding_mode("Later");
  EXPECT_EQ(causes(sc), (Causes{"reclaimPolicy: Unsupported value: \"Recycle\": supported values: \"Delete\", \"Retain\"",
                                "volumeBindingMode: Unsupported value: \"Later\": supported values: \"Immediate\", "
                                "\"WaitForFirstConsumer\""}));
  sc = storage_class();
  sc.clear_provisioner();
  EXPECT_EQ(causes(sc), Causes{"provisioner: Required value"});
}

TEST(StorageClassValidation, UpdatesToTheClassAreForbidden) {
  auto old = storage_class();
  auto next = old;
  next.set_provisioner("example.com/nfs");
  (*next.mutable_parameters())["fs"] = "xfs";
  next.set_reclaim_policy("Retain");
  next.set_volume_binding_mode("WaitForFirstConsumer");
  EXPECT_EQ(causes(next, &old), (Causes{"parameters: Forbidden: updates to parameters are forbidden.",
                                        "provisioner: Forbidden: updates to provisioner are forbidden.",
                                        "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.",
                                        "volumeBindingMode: Invalid value: \"WaitForFirstConsumer\": field is immutable"}));
}

}  // namespace
