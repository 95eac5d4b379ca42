// What the Endpoints and EndpointSlice controllers both ask of a Service and a pod: does the
// Service select it, and which container port does a service port reach on it.
#pragma once

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"

namespace skiff::controllers {

// Same namespace and the Service's (non-empty) selector matches the pod's labels.
bool selects(const api::core::v1::Service& service, const api::core::v1::Pod& pod);

// Kubernetes' FindPort: the container port `port` reaches on this pod; 0 when a named
// targetPort has no container port of that name and protocol.
int find_port(const api::core::v1::ServicePort& port, const api::core::v1::Pod& pod);

}  // namespace skiff::controllers
