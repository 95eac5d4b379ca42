// The writes that take a Service's EndpointSlices from what exists to what is desired with
// little churn, as Kubernetes' slice reconciler does: endpoints stay in the slice they are in
// and are updated in place, slices already being rewritten take new endpoints first, an
// unchanged slice is never written, new slices hold at most max_endpoints_per_slice, slices
// left empty are reused for new ones or deleted, and a Service without endpoints keeps one
// empty placeholder slice per address type.
#pragma once

#include <vector>

#include "endpoint_slice_endpoints.hpp"

namespace skiff::controllers {

using SlicePtr = std::shared_ptr<const discovery::EndpointSlice>;

struct SlicePlan {
  std::vector<discovery::EndpointSlice> create;  // generateName "<service>-", owned by the Service
  std::vector<discovery::EndpointSlice> update;  // whole slices, with the resourceVersion they replace
  std::vector<discovery::EndpointSlice> erase;   // the slices as they were
  bool empty() const { return create.empty() && update.empty() && erase.empty(); }
};

// `existing`: the slices labelled for this Service and this controller (none being deleted).
// Slices another owner controls, or of an address type the Service no longer has, are erased.
SlicePlan plan_endpoint_slices(const api::core::v1::Service& service, const DesiredEndpoints& desired,
                               const std::vector<SlicePtr>& existing, int max_endpoints_per_slice);

// The slices a Service gets when it has none yet: its selected pods packed afresh.
std::vector<discovery::EndpointSlice> desired_endpoint_slices(const api::core::v1::Service& service,
                                                              const std::vector<PodPtr>& pods,
                                                              const std::vector<NodePtr>& nodes,
                                                              int max_endpoints_per_slice);

}  // namespace skiff::controllers
