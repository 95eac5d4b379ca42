// A pod's quality-of-service class (status.qosClass), computed as Kubernetes computes it.
#pragma once

#include <string>

#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::sdk {

// Kubernetes' rules (pkg/apis/core/helper/qos), over the containers and the init containers:
// only cpu and memory count, and only quantities above zero; an unset request is its limit
// (as the API defaults it).
//  - "BestEffort": none of them requests or limits cpu or memory;
//  - "Guaranteed": each of them limits both cpu and memory, and for each of the two the
//    requests add up to the limits;
//  - "Burstable": anything else.
std::string qos_class(const api::core::v1::PodSpec& spec);

}  // namespace skiff::sdk
