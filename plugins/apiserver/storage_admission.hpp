// Kubernetes' DefaultStorageClass and StorageObjectInUseProtection admission: a claim created
// with no class gets the default StorageClass; claims and volumes are created with the
// finalizer that keeps them while in use (kubernetes.io/pvc-protection, kubernetes.io/pv-protection).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/storage/v1/storage.pb.h"

namespace skiff::apiserver {

using StorageClassLister = std::function<std::vector<api::storage::v1::StorageClass>()>;

// Sets spec.storageClassName when it is unset (nil, not "") and the claim has no beta class
// annotation. Several defaults: the newest wins, then the first by name, as Kubernetes picks.
// `list_classes` is called only for a claim without a class.
void admit_default_storage_class(api::core::v1::PersistentVolumeClaim& claim, const StorageClassLister& list_classes);

// Adds the protection finalizer a new PersistentVolume or PersistentVolumeClaim carries; other kinds untouched.
void add_protection_finalizer(const std::string& kind, api::meta::v1::ObjectMeta& meta);

}  // namespace skiff::apiserver
