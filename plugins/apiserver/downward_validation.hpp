// Validation of the downward API's references — an env var's valueFrom, a downwardAPI volume's
// files — with Kubernetes' messages and field paths (validateEnvVarValueFrom,
// validateObjectFieldSelector, validateContainerResourceFieldSelector and its divisors,
// validateDownwardAPIVolumeFile).
#pragma once

#include <string>

#include "api_error.hpp"
#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::apiserver {

// `field` is the env var's valueFrom ("spec.containers[0].env[1].valueFrom").
void check_env_value_from(FieldErrors& errors, const std::string& field, const api::core::v1::EnvVar& env);

// One file of a downwardAPI volume or projection. `field` is the volume's downwardAPI (or the
// projection's): Kubernetes names no item index in these paths.
void check_downward_api_file(FieldErrors& errors, const std::string& field, const api::core::v1::DownwardAPIVolumeFile& file);

// Kubernetes' ValidateLocalNonReservedPath: relative, no ".." element, not starting with "..".
void check_local_non_reserved_path(FieldErrors& errors, const std::string& field, const std::string& path);

// A file mode (mode, defaultMode): 0 to 0777.
void check_file_mode(FieldErrors& errors, const std::string& field, int mode);

}  // namespace skiff::apiserver
