// Reads and writes one owner's ControllerRevisions through the API: the revision for its
// current template (made, or an older one renumbered as newest on a rollback) and pruning.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "controller.hpp"
#include "controller_history.hpp"

namespace skiff::controllers {

class RevisionHistory {
 public:
  explicit RevisionHistory(ControllerContext& context) : context_(context) {}

  // The owner's revisions, as the informer shows them.
  std::vector<api::apps::v1::ControllerRevision> of(const api::meta::v1::ObjectMeta& owner) const;
  // The revision of `pod_template`, made or brought to the top of the history.
  api::apps::v1::ControllerRevision current(const api::meta::v1::ObjectMeta& owner, const sdk::ResourceType& owner_type,
                                            const api::core::v1::PodTemplateSpec& pod_template,
                                            std::int32_t collision_count);
  // Deletes unused revisions beyond `limit`.
  void prune(const api::meta::v1::ObjectMeta& owner, int limit, const std::set<std::string>& in_use);

 private:
  ControllerContext& context_;
};

}  // namespace skiff::controllers
