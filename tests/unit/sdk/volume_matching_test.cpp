// Which volume satisfies which claim, and which node a volume's affinity allows: the rules the
// volume controller and the scheduler share (Kubernetes' findMatchingVolume, CheckNodeAffinity).
#include <gtest/gtest.h>

#include "skiff/sdk/storage/volumes.hpp"

namespace {

using namespace skiff;
namespace core = api::core::v1;
namespace vol = sdk::storage;

core::PersistentVolume volume(const std::string& name, const std::string& size, const std::string& cls = "local",
                              std::vector<std::string> modes = {"ReadWriteOnce"}) {
  core::PersistentVolume pv;
  pv.mutable_metadata()->set_name(name);
  (*pv.mutable_spec()->mutable_capacity())["storage"] = size;
  for (const auto& m : modes) pv.mutable_spec()->add_access_modes(m);
  pv.mutable_spec()->set_storage_class_name(cls);
  pv.mutable_status()->set_phase("Available");
  return pv;
}

core::PersistentVolumeClaim claim(const std::string& size, const std::string& cls = "local",
                                  std::vector<std::string> modes = {"ReadWriteOnce"}) {
  core::PersistentVolumeClaim pvc;
  pvc.mutable_metadata()->set_name("data");
  pvc.mutable_metadata()->set_namespace_("default");
  pvc.mutable_metadata()->set_uid("uid-1");
  (*pvc.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = size;
  for (const auto& m : modes) pvc.mutable_spec()->add_access_modes(m);
  pvc.mutable_spec()->set_storage_class_name(cls);
  return pvc;
}

std::string match(const core::PersistentVolumeClaim& pvc, const std::vector<core::PersistentVolume>& pvs,
                  const std::optional<vol::NodeView>& node = std::nullopt) {
  std::vector<const core::PersistentVolume*> ptrs;
  for (const auto& pv : pvs) ptrs.push_back(&pv);
  const auto* found = vol::find_matching_volume(pvc, ptrs, node);
  return found ? found->metadata().name() : "<none>";
}

void pin_to(core::PersistentVolume& pv, const std::string& node) {
  auto* r = pv.mutable_spec()->mutable_node_affinity()->mutable_required()->add_node_selector_terms()->add_match_expressions();
  r->set_key(vol::kHostnameLabel);
  r->set_operator_("In");
  r->add_values(node);
}

TEST(VolumeMatching, TheSmallestVolumeBigEnough) {
  EXPECT_EQ(match(claim("2Gi"), {volume("big", "10Gi"), volume("small", "1Gi"), volume("fit", "3Gi")}), "fit");
  EXPECT_EQ(match(claim("2Gi"), {volume("small", "1Gi")}), "<none>");
  EXPECT_EQ(match(claim("1Gi"), {volume("exact", "1024Mi")}), "exact") << "sizes compare as bytes, not text";
}

TEST(VolumeMatching, ClassAccessModesAndVolumeModeMustAgree) {
  EXPECT_EQ(match(claim("1Gi", "fast"), {volume("local", "5Gi")}), "<none>");
  EXPECT_EQ(match(claim("1Gi", ""), {volume("classless", "5Gi", ""), volume("local", "5Gi")}), "classless");
  EXPECT_EQ(match(claim("1Gi", "local", {"ReadWriteMany"}), {volume("rwo", "5Gi")}), "<none>");
  EXPECT_EQ(match(claim("1Gi", "local", {"ReadWriteOnce", "ReadOnlyMany"}),
                  {volume("rwo", "5Gi"), volume("both", "5Gi", "local", {"ReadOnlyMany", "ReadWriteOnce"})}),
            "both");
  auto block = volume("block", "5Gi");
  block.mutable_spec()->set_volume_mode("Block");
  EXPECT_EQ(match(claim("1Gi"), {block}), "<none>") << "an unset mode is Filesystem";
}

TEST(VolumeMatching, SelectorAndVolumeNameNarrowTheChoice) {
  auto labelled = volume("ssd", "8Gi");
  (*labelled.mutable_metadata()->mutable_labels())["disk"] = "ssd";
  auto pvc = claim("1Gi");
  (*pvc.mutable_spec()->mutable_selector()->mutable_match_labels())["disk"] = "ssd";
  EXPECT_EQ(match(pvc, {volume("plain", "2Gi"), labelled}), "ssd");
  auto named = claim("1Gi");
  named.mutable_spec()->set_volume_name("big");
  EXPECT_EQ(match(named, {volume("small", "2Gi"), volume("big", "9Gi")}), "big");
}

TEST(VolumeMatching, ClaimedReleasedAndDeletedVolumesAreNotOffered) {
  auto other = volume("other", "2Gi");
  other.mutable_spec()->mutable_claim_ref()->set_namespace_("default");
  other.mutable_spec()->mutable_claim_ref()->set_name("someone-else");
  auto released = volume("released", "2Gi");
  released.mutable_status()->set_phase("Released");
  auto deleted = volume("deleted", "2Gi");
  deleted.mutable_metadata()->set_deletion_timestamp("2026-01-01T00:00:00Z");
  EXPECT_EQ(match(claim("1Gi"), {other, released, deleted}), "<none>");
  auto prebound = volume("prebound", "50Gi");
  prebound.mutable_spec()->mutable_claim_ref()->set_namespace_("default");
  prebound.mutable_spec()->mutable_claim_ref()->set_name("data");
  EXPECT_EQ(match(claim("1Gi"), {volume("fit", "1Gi"), prebound}), "prebound") << "a volume that names the claim wins";
  prebound.mutable_spec()->mutable_claim_ref()->set_uid("uid-old");
  EXPECT_EQ(match(claim("1Gi"), {prebound}), "<none>") << "named for an earlier claim of that name";
}

TEST(VolumeMatching, NodeAffinityFiltersVolumesForTheChosenNode) {
  auto on_a = volume("on-a", "2Gi");
  pin_to(on_a, "node-a");
  auto on_b = volume("on-b", "2Gi");
  pin_to(on_b, "node-b");
  vol::NodeView b{"node-b", {{vol::kHostnameLabel, "node-b"}}};
  EXPECT_EQ(match(claim("1Gi"), {on_a, on_b}, b), "on-b");
  EXPECT_TRUE(vol::volume_fits_node(volume("anywhere", "1Gi"), "node-c", {}));
  EXPECT_FALSE(vol::volume_fits_node(on_a, "node-b", {{vol::kHostnameLabel, "node-b"}}));
  EXPECT_TRUE(vol::volume_fits_node(on_a, "node-a", {{vol::kHostnameLabel, "node-a"}}));
}

TEST(VolumeMatching, ClassesAndLabelsAsKubernetesReadsThem) {
  auto pvc = claim("1Gi", "local");
  (*pvc.mutable_metadata()->mutable_annotations())["volume.beta.kubernetes.io/storage-class"] = "legacy";
  EXPECT_EQ(vol::claim_class(pvc), "legacy");
  EXPECT_EQ(vol::provisioner_node_label("skiff.io/local-storage"), "provisioner.storage.skiff.io/skiff.io_local-storage");
  EXPECT_EQ(vol::requested_bytes(claim("1Mi")), 1048576);
}

}  // namespace
