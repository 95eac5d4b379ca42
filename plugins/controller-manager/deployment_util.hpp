// The arithmetic of Deployments, as Kubernetes' deployment/util has it: the pod-template
// hash, revisions, maxSurge/maxUnavailable, and how many pods a rolling update may add or
// take away at each step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "skiff/api/apps/v1/apps.pb.h"

namespace skiff::controllers {

inline constexpr const char* kPodTemplateHashLabel = "pod-template-hash";
inline constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr const char* kDesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
inline constexpr const char* kMaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

// Kubernetes' fnv32a of the template (+ collision count), spelled with its safe alphabet.
std::string pod_template_hash(const api::core::v1::PodTemplateSpec& tmpl, std::int32_t collision_count);
// Equal once the pod-template-hash label is left out of both.
bool same_template(const api::core::v1::PodTemplateSpec& a, const api::core::v1::PodTemplateSpec& b);
std::int64_t revision_of(const api::apps::v1::ReplicaSet& rs);

int replicas_of(const api::apps::v1::Deployment& d);
int replicas_of(const api::apps::v1::ReplicaSet& rs);
bool is_rolling_update(const api::apps::v1::Deployment& d);
// maxSurge (rounded up) and maxUnavailable (rounded down) in pods; never both 0.
std::pair<int, int> surge_and_unavailable(const api::apps::v1::Deployment& d);

// How many replicas the new ReplicaSet may have now (rolling update).
int new_rs_replicas(const api::apps::v1::Deployment& d, const std::vector<const api::apps::v1::ReplicaSet*>& all,
                    const api::apps::v1::ReplicaSet& new_rs);

}  // namespace skiff::controllers
