// An EndpointSlice as the Service translation reads it, with the API's defaults applied.
#pragma once

#include "service_ports.hpp"
#include "skiff/api/discovery/v1/discovery.pb.h"

namespace skiff::proxy {

SliceView slice_view(const api::discovery::v1::EndpointSlice& slice);

}  // namespace skiff::proxy
