// The ControllerRevision reads and writes both DaemonSet and StatefulSet controllers share.
#include "revision_history.hpp"

#include <algorithm>

#include "pod_state.hpp"

namespace skiff::controllers {

namespace {
using Revision = api::apps::v1::ControllerRevision;
}

std::vector<Revision> RevisionHistory::of(const api::meta::v1::ObjectMeta& owner) const {
  std::vector<Revision> out;
  for (const auto& revision : context_.informers.controller_revisions().by_index(kByOwner, owner.uid())) {
    const auto* controller = controller_of(revision->metadata());
    if (controller && controller->uid() == owner.uid()) out.push_back(*revision);
  }
  return out;
}

Revision RevisionHistory::current(const api::meta::v1::ObjectMeta& owner, const sdk::ResourceType& owner_type,
                                  const api::core::v1::PodTemplateSpec& pod_template, std::int32_t collision_count) {
  std::vector<Revision> history = of(owner);
  std::int64_t newest = 0;
  for (const auto& r : history) newest = std::max(newest, r.revision());
  Revision wanted = make_revision(owner, owner_type, pod_template, newest + 1, collision_count);
  for (const auto& existing : history) {
    if (!same_data(existing, wanted)) continue;
    if (existing.revision() == newest) return existing;
    Revision renumbered = existing;  // a rollback: the old template is the newest again
    renumbered.set_revision(newest + 1);
    return context_.api.update(renumbered);
  }
  try {
    return context_.api.create(wanted);
  } catch (const sdk::Error& e) {
    if (e.status().code != 409) throw;
    // Made by an earlier sync the cache has not shown yet.
    Revision found = context_.api.get<Revision>(owner.namespace_(), wanted.metadata().name());
    if (!same_data(found, wanted))
      throw sdk::Error(sdk::Status::Conflict("ControllerRevision " + wanted.metadata().name() +
                                             " exists with other data (a hash collision)"));
    return found;
  }
}

void RevisionHistory::prune(const api::meta::v1::ObjectMeta& owner, int limit, const std::set<std::string>& in_use) {
  for (const auto& name : revisions_to_prune(of(owner), limit, in_use)) {
    try {
      context_.api.erase<Revision>(owner.namespace_(), name);
    } catch (const sdk::Error& e) {
      if (e.status().code != 404) throw;
    }
  }
}

}  // namespace skiff::controllers
