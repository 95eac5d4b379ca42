// The ControllerRevision history DaemonSets and StatefulSets keep, as Kubernetes' history
// package does: each revision holds the patch that restores a pod template (so kubectl's
// `rollout undo` can send it back), is named "<owner>-<hash>" and numbered in order.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "skiff/api/apps/v1/workloads.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/resources.hpp"

namespace skiff::controllers {

inline constexpr const char* kRevisionHashLabel = "controller-revision-hash";

// {"spec":{"template":{…,"$patch":"replace"}}}: the revision's data for a pod template.
std::string template_patch(const api::core::v1::PodTemplateSpec& pod_template);
// The pod template a revision's data restores; throws Error(500) on data that holds none.
api::core::v1::PodTemplateSpec template_of(const api::apps::v1::ControllerRevision& revision);

// FNV-1a of the data (and the collision count, when there is one), written with the
// alphabet Kubernetes uses for names (rand.SafeEncodeString), e.g. "6d4f8b9c7".
std::string revision_hash(const std::string& data, std::int32_t collision_count);

// A new revision of `owner` (a DaemonSet or StatefulSet) for its pod template.
api::apps::v1::ControllerRevision make_revision(const api::meta::v1::ObjectMeta& owner, const sdk::ResourceType& owner_type,
                                                const api::core::v1::PodTemplateSpec& pod_template,
                                                std::int64_t number, std::int32_t collision_count);

// Whether two revisions restore the same template.
bool same_data(const api::apps::v1::ControllerRevision& a, const api::apps::v1::ControllerRevision& b);

// The revisions to delete so that at most `limit` unused ones remain (oldest go first);
// `in_use` names the revisions pods or the status still point at, never deleted.
std::vector<std::string> revisions_to_prune(std::vector<api::apps::v1::ControllerRevision> history, int limit,
                                            const std::set<std::string>& in_use);

}  // namespace skiff::controllers
