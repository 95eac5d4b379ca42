// DefaultStorageClass and the protection finalizers: which claims get a class, which class,
// and which new objects carry which finalizer.
#include <gtest/gtest.h>

#include "storage_admission.hpp"

namespace {

using namespace skiff;
namespace core = api::core::v1;
namespace storage = api::storage::v1;
using Classes = std::vector<storage::StorageClass>;

storage::StorageClass storage_class(const std::string& name, const std::string& is_default, const std::string& created) {
  storage::StorageClass sc;
  sc.mutable_metadata()->set_name(name);
  sc.mutable_metadata()->set_creation_timestamp(created);
  if (!is_default.empty()) (*sc.mutable_metadata()->mutable_annotations())["storageclass.kubernetes.io/is-default-class"] = is_default;
  sc.set_provisioner("skiff.io/local-storage");
  return sc;
}

std::string admitted(core::PersistentVolumeClaim pvc, const Classes& classes) {
  apiserver::admit_default_storage_class(pvc, [&] { return classes; });
  return pvc.spec().has_storage_class_name() ? pvc.spec().storage_class_name() : "<unset>";
}

TEST(DefaultStorageClass, TheDefaultClassIsSet) {
  Classes classes = {storage_class("slow", "false", "2026-01-01T00:00:00Z"),
                     storage_class("local", "true", "2026-01-01T00:00:00Z"), storage_class("nfs", "", "2026-01-02T00:00:00Z")};
  EXPECT_EQ(admitted({}, classes), "local");
  EXPECT_EQ(admitted({}, {}), "<unset>");
}

TEST(DefaultStorageClass, OfSeveralDefaultsTheNewestWins) {
  Classes classes = {storage_class("old", "true", "2026-01-01T00:00:00Z"), storage_class("new", "true", "2026-03-01T00:00:00Z"),
                     storage_class("b-same", "true", "2026-02-01T00:00:00Z")};
  EXPECT_EQ(admitted({}, classes), "new");
  classes.push_back(storage_class("a-new", "true", "2026-03-01T00:00:00Z"));
  EXPECT_EQ(admitted({}, classes), "a-new") << "a tie goes to the first name";
}

TEST(DefaultStorageClass, AClaimThatChoseKeepsItsChoice) {
  core::PersistentVolumeClaim none;
  none.mutable_spec()->set_storage_class_name("");
  bool listed = false;
  apiserver::admit_default_storage_class(none, [&] {
    listed = true;
    return Classes{storage_class("local", "true", "2026-01-01T00:00:00Z")};
  });
  EXPECT_EQ(none.spec().storage_class_name(), "") << "\"\" means no class";
  EXPECT_FALSE(listed);
  core::PersistentVolumeClaim annotated;
  (*annotated.mutable_metadata()->mutable_annotations())["volume.beta.kubernetes.io/storage-class"] = "nfs";
  EXPECT_EQ(admitted(annotated, {storage_class("local", "true", "2026-01-01T00:00:00Z")}), "<unset>");
}

TEST(ProtectionFinalizers, ClaimsAndVolumesGetTheirsOnce) {
  api::meta::v1::ObjectMeta meta;
  apiserver::add_protection_finalizer("PersistentVolumeClaim", meta);
  apiserver::add_protection_finalizer("PersistentVolumeClaim", meta);
  ASSERT_EQ(meta.finalizers_size(), 1);
  EXPECT_EQ(meta.finalizers(0), "kubernetes.io/pvc-protection");
  api::meta::v1::ObjectMeta pv;
  apiserver::add_protection_finalizer("PersistentVolume", pv);
  ASSERT_EQ(pv.finalizers_size(), 1);
  EXPECT_EQ(pv.finalizers(0), "kubernetes.io/pv-protection");
  api::meta::v1::ObjectMeta pod;
  apiserver::add_protection_finalizer("Pod", pod);
  EXPECT_EQ(pod.finalizers_size(), 0);
}

}  // namespace
