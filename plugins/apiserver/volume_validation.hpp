// Validation of a pod's volumes with Kubernetes' messages and field paths (ValidateVolumes and
// validateVolumeSource for the sources Skiff serves: hostPath, emptyDir, secret,
// persistentVolumeClaim, downwardAPI, configMap, projected).
#pragma once

#include <set>
#include <string>

#include "api_error.hpp"
#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::apiserver {

// Checks spec.volumes (`field`); returns the names of the volumes without errors — the only
// ones a volumeMount may name, as in Kubernetes.
std::set<std::string> check_volumes(FieldErrors& errors, const std::string& field, const api::core::v1::PodSpec& spec);

}  // namespace skiff::apiserver
