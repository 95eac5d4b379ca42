// Kubernetes' validateContainerResourceDivisor: a resourceFieldRef's divisor must be one its
// resource allows (cpu: 1m, 1; memory, ephemeral-storage and hugepages: 1, 1k…1E, 1Ki…1Ei),
// compared by its canonical text as Kubernetes compares it.
#pragma once

#include <string>

#include "api_error.hpp"
#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::apiserver {

// `field` is the resourceFieldRef; errors are reported on its divisor.
void check_divisor(FieldErrors& errors, const std::string& field, const api::core::v1::ResourceFieldSelector& selector);

}  // namespace skiff::apiserver
