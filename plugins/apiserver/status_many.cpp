// Status updates of many objects at once (api.statusmany, a kubelet's pods): the objects are
// read in one store round trip and written in one store batch, each checked as a single
// status update would be. An object written meanwhile (409 from the store) takes the
// one-by-one path, which reads it again and keeps the caller's resourceVersion precondition.
#include <algorithm>

#include "api_core.hpp"
#include "api_error.hpp"
#include "skiff/sdk/object_bytes.hpp"
#include "skiff/sdk/object_meta.hpp"

namespace skiff::apiserver {

std::vector<ApiCore::Created> ApiCore::update_status_many(const sdk::ResourceType& type, std::vector<MessagePtr> objects,
                                                         const WriteOptions& options) {
  std::vector<Created> results(objects.size(), Created{sdk::Status{200, "", ""}, nullptr});
  auto one_by_one = [&](std::size_t i) {
    const auto& meta = sdk::meta_of(*objects[i]);
    try {
      results[i].object = update(type, meta.namespace_(), meta.name(), objects[i], "status", options);
    } catch (const sdk::Error& e) {
      results[i].status = e.status();
    }
  };
  for (std::size_t first = 0; first < objects.size(); first += kManyChunk) {
    std::size_t last = std::min(objects.size(), first + kManyChunk);
    std::vector<store::v1::ObjectKey> keys;
    for (std::size_t i = first; i < last; ++i) {
      const auto& meta = sdk::meta_of(*objects[i]);
      keys.push_back(sdk::object_key(type, meta.namespace_(), meta.name()));
    }
    auto current = store_.get_many(keys);
    std::vector<store::v1::TxnRequest> writes;
    std::vector<std::size_t> written;
    for (std::size_t i = first; i < last; ++i) {
      const auto& meta = sdk::meta_of(*objects[i]);
      try {
        const auto& stored = current.results(static_cast<int>(i - first));
        if (stored.revision() == 0) throw not_found(type, meta.name());
        MessagePtr now = decode(type, stored.object());
        check_expected_version(type, meta.name(), meta.resource_version(), *now);
        PlannedWrite plan = plan_update(type, *now, with_status_of(*now, *objects[i]), options);
        if (plan.action == PlannedWrite::None || options.dry_run) {
          results[i].object = std::move(plan.object);
          continue;
        }
        if (plan.action == PlannedWrite::Erase) {  // the object's deletion completes: the single path does it
          one_by_one(i);
          continue;
        }
        auto* update = writes.emplace_back().add_operations()->mutable_update();
        *update->mutable_key() = plan.key;
        update->set_object(plan.object->SerializeAsString());
        update->set_expected_revision(plan.expected_revision);
        written.push_back(i);
      } catch (const sdk::Error& e) {
        results[i].status = e.status();
      }
    }
    if (writes.empty()) continue;
    auto outcome = store_.batch(std::move(writes));
    for (std::size_t w = 0; w < written.size(); ++w) {
      const auto& r = outcome.results(static_cast<int>(w));
      std::size_t i = written[w];
      if (r.code() >= 200 && r.code() < 300) {
        results[i].object = decode(type, r.response().results(0).object());
      } else if (r.code() == 409) {
        one_by_one(i);
      } else {
        results[i].status =
            from_store(sdk::Error(sdk::Status{r.code(), r.reason(), r.message()}), type, sdk::meta_of(*objects[i]).name()).status();
      }
    }
  }
  return results;
}

}  // namespace skiff::apiserver
