// Validation of PersistentVolumes, PersistentVolumeClaims and StorageClasses with Kubernetes'
// messages and field paths (pkg/apis/core/validation, pkg/apis/storage/validation).
#pragma once

#include "api_error.hpp"
#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/storage/v1/storage.pb.h"

namespace skiff::apiserver {

// ValidatePersistentVolume (old == nullptr) and ValidatePersistentVolumeUpdate.
void check_persistent_volume(FieldErrors& errors, const api::core::v1::PersistentVolume& pv,
                             const api::core::v1::PersistentVolume* old);

// ValidatePersistentVolumeClaim and ValidatePersistentVolumeClaimUpdate.
void check_persistent_volume_claim(FieldErrors& errors, const api::core::v1::PersistentVolumeClaim& pvc,
                                   const api::core::v1::PersistentVolumeClaim* old);

// ValidateStorageClass and ValidateStorageClassUpdate.
void check_storage_class(FieldErrors& errors, const api::storage::v1::StorageClass& sc,
                         const api::storage::v1::StorageClass* old);

}  // namespace skiff::apiserver
