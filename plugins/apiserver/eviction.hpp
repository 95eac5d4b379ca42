// The pods/eviction subresource (policy/v1 and v1beta1 Eviction): a pod deleted only when the
// PodDisruptionBudget covering it allows one more disruption, as kubectl drain needs.
#pragma once

#include <string>

#include <boost/json/value.hpp>

#include "api_core.hpp"

namespace skiff::apiserver {

// Evicts the pod: 429 TooManyRequests when its budget forbids it (the budget is left as it
// was), 500 when more than one budget covers it, otherwise the budget's disruptionsAllowed is
// decremented (conflict-safe) and the pod deleted with the eviction's DeleteOptions.
// Returns the Success Status to answer with (201).
boost::json::value evict_pod(ApiCore& api, const std::string& ns, const std::string& name,
                             const boost::json::value& eviction);

// DeleteOptions (Kubernetes JSON) as the API applies them; throws ApiError 400 for a bad policy.
DeleteOptions delete_options_from(const boost::json::value& body);

}  // namespace skiff::apiserver
