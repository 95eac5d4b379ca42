// Validation of an EndpointSlice with Kubernetes' messages: the address type (required, one
// of IPv4/IPv6/FQDN, immutable), at most 1000 endpoints of 1 to 100 addresses of that type,
// node names, hostnames, zone hints, and ports with unique DNS-label names and known protocols.
#pragma once

#include "api_error.hpp"
#include "skiff/api/discovery/v1/discovery.pb.h"

namespace skiff::apiserver {

// Kubernetes' ValidateEndpointSlice (old == nullptr) and ValidateEndpointSliceUpdate.
void check_endpoint_slice(FieldErrors& errors, const api::discovery::v1::EndpointSlice& slice,
                          const api::discovery::v1::EndpointSlice* old);

}  // namespace skiff::apiserver
