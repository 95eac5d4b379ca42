// The default StorageClass of a new claim and the protection finalizers of new claims and volumes.
#include "storage_admission.hpp"

#include <algorithm>

namespace skiff::apiserver {
namespace {

namespace storage = api::storage::v1;

bool is_default(const storage::StorageClass& sc) {
  const auto& annotations = sc.metadata().annotations();
  for (const char* key : {"storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"}) {
    auto found = annotations.find(key);
    if (found != annotations.end() && found->second == "true") return true;
  }
  return false;
}

// RFC 3339 timestamps of one format compare as text.
bool newer_first(const storage::StorageClass* a, const storage::StorageClass* b) {
  if (a->metadata().creation_timestamp() != b->metadata().creation_timestamp())
    return a->metadata().creation_timestamp() > b->metadata().creation_timestamp();
  return a->metadata().name() < b->metadata().name();
}

}  // namespace

void admit_default_storage_class(api::core::v1::PersistentVolumeClaim& claim, const StorageClassLister& list_classes) {
  if (claim.spec().has_storage_class_name()) return;
  if (claim.metadata().annotations().count("volume.beta.kubernetes.io/storage-class")) return;
  std::vector<storage::StorageClass> classes = list_classes();
  std::vector<const storage::StorageClass*> defaults;
  for (const auto& c : classes)
    if (is_default(c)) defaults.push_back(&c);
  if (defaults.empty()) return;
  std::sort(defaults.begin(), defaults.end(), newer_first);
  claim.mutable_spec()->set_storage_class_name(defaults.front()->metadata().name());
}

void add_protection_finalizer(const std::string& kind, api::meta::v1::ObjectMeta& meta) {
  const char* finalizer = kind == "PersistentVolumeClaim" ? "kubernetes.io/pvc-protection"
                          : kind == "PersistentVolume"    ? "kubernetes.io/pv-protection"
                                                          : nullptr;
  if (!finalizer) return;
  if (std::find(meta.finalizers().begin(), meta.finalizers().end(), finalizer) == meta.finalizers().end())
    meta.add_finalizers(finalizer);
}

}  // namespace skiff::apiserver
