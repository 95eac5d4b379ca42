// Status updates combined by whichever caller finds a free sending slot (leader_combiner.hpp).
#include "skiff/sdk/status_writer.hpp"

#include <algorithm>

#include "leader_combiner.hpp"

namespace skiff::sdk {

struct StatusWriter::Impl {
  struct Slot {
    const ResourceType* type;
    std::string object;
    bool done = false;
    Status status;
    std::string stored;
  };
  using Batch = std::vector<std::shared_ptr<Slot>>;

  const ApiClient& api;
  std::size_t max_batch;
  detail::LeaderCombiner<Slot> combiner;

  // The oldest update and the queued ones of the same resource type, in order.
  Batch take(std::deque<std::shared_ptr<Slot>>& queue) const {
    const ResourceType* type = queue.front()->type;
    Batch batch;
    for (auto it = queue.begin(); it != queue.end() && batch.size() < max_batch;) {
      if ((*it)->type != type) {
        ++it;
        continue;
      }
      batch.push_back(std::move(*it));
      it = queue.erase(it);
    }
    return batch;
  }

  void send(Batch& batch) const {
    std::vector<std::string> objects;
    objects.reserve(batch.size());
    for (const auto& slot : batch) objects.push_back(slot->object);
    try {
      auto results = api.update_status_many_bytes(*batch.front()->type, objects);
      for (std::size_t i = 0; i < batch.size(); ++i) {
        batch[i]->status = results[i].first;
        batch[i]->stored = std::move(results[i].second);
      }
    } catch (const Error& e) {
      for (auto& slot : batch) slot->status = e.status();  // the request itself failed: every update in it did
    } catch (const std::exception& e) {
      for (auto& slot : batch) slot->status = Status::Internal(std::string("status update: ") + e.what());
    }
  }
};

StatusWriter::StatusWriter(const ApiClient& api, std::size_t max_batch, int max_in_flight)
    : impl_(new Impl{api, std::max<std::size_t>(1, max_batch), detail::LeaderCombiner<Impl::Slot>(max_in_flight)}) {}

StatusWriter::~StatusWriter() = default;

std::string StatusWriter::update_bytes(const ResourceType& type, std::string object) {
  auto slot = std::make_shared<Impl::Slot>();
  slot->type = &type;
  slot->object = std::move(object);
  impl_->combiner.run(
      slot, [this](auto& queue) { return impl_->take(queue); }, [this](Impl::Batch& batch) { impl_->send(batch); });
  if (!slot->status.ok()) throw Error(slot->status);
  return std::move(slot->stored);
}

}  // namespace skiff::sdk
