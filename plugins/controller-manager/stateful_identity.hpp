// A StatefulSet pod's stable identity, as Kubernetes' stateful_set_utils gives it: the name
// "<set>-<ordinal>", its labels, hostname and subdomain, and its claims
// "<template>-<set>-<ordinal>" that outlive the pod.
#pragma once

#include <optional>
#include <string>

#include "skiff/api/apps/v1/workloads.pb.h"
#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::controllers {

inline constexpr const char* kStatefulPodNameLabel = "statefulset.kubernetes.io/pod-name";
inline constexpr const char* kPodIndexLabel = "apps.kubernetes.io/pod-index";

// The ordinal in a pod name "<set>-<n>", nullopt for a name of another shape.
std::optional<int> ordinal_of(const std::string& set, const std::string& pod_name);
std::string stateful_pod_name(const std::string& set, int ordinal);
std::string stateful_claim_name(const std::string& claim_template, const std::string& set, int ordinal);

// The pod for `ordinal` from `pod_template` (the template of revision `revision_name`).
api::core::v1::Pod stateful_pod(const api::apps::v1::StatefulSet& set, const api::core::v1::PodTemplateSpec& pod_template,
                                const std::string& revision_name, int ordinal);

// The claim for `ordinal` from one of the set's volumeClaimTemplates; owned by the set when
// its retention policy deletes claims with it.
api::core::v1::PersistentVolumeClaim stateful_claim(const api::apps::v1::StatefulSet& set,
                                                    const api::core::v1::PersistentVolumeClaim& claim_template, int ordinal);

}  // namespace skiff::controllers
