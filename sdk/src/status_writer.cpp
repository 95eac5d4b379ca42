// Leader/follower combining, as the store client's write coalescer: whoever finds a free
// sending slot takes what is queued (of its own resource type) and sends it for everyone.
#include "skiff/sdk/status_writer.hpp"

#include <algorithm>

namespace skiff::sdk {

StatusWriter::StatusWriter(const ApiClient& api, std::size_t max_batch, int max_in_flight)
    : api_(api), max_batch_(std::max<std::size_t>(1, max_batch)), max_in_flight_(std::max(1, max_in_flight)) {}

std::string StatusWriter::update_bytes(const ResourceType& type, std::string object) {
  auto slot = std::make_shared<Slot>();
  slot->type = &type;
  slot->object = std::move(object);
  std::unique_lock lock(mutex_);
  queue_.push_back(slot);
  while (!slot->done) {
    if (in_flight_ < max_in_flight_ && !queue_.empty()) {
      auto batch = take_batch();
      ++in_flight_;
      lock.unlock();
      send(batch);
      lock.lock();
      --in_flight_;
      changed_.notify_all();
    } else {
      changed_.wait(lock);
    }
  }
  if (!slot->status.ok()) throw Error(slot->status);
  return std::move(slot->stored);
}

// Under the lock: the oldest update and the queued ones of the same resource type, in order.
std::vector<std::shared_ptr<StatusWriter::Slot>> StatusWriter::take_batch() {
  const ResourceType* type = queue_.front()->type;
  std::vector<std::shared_ptr<Slot>> batch;
  for (auto it = queue_.begin(); it != queue_.end() && batch.size() < max_batch_;) {
    if ((*it)->type != type) {
      ++it;
      continue;
    }
    batch.push_back(std::move(*it));
    it = queue_.erase(it);
  }
  return batch;
}

void StatusWriter::send(std::vector<std::shared_ptr<Slot>>& batch) {
  std::vector<std::string> objects;
  objects.reserve(batch.size());
  for (const auto& slot : batch) objects.push_back(slot->object);
  std::vector<std::pair<Status, std::string>> results;
  Status failed{200, "", ""};
  try {
    results = api_.update_status_many_bytes(*batch.front()->type, objects);
  } catch (const Error& e) {
    failed = e.status();  // the request itself failed: every update in it did
  }
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Slot& slot = *batch[i];
    if (failed.ok()) {
      slot.status = results[i].first;
      slot.stored = std::move(results[i].second);
    } else {
      slot.status = failed;
    }
    slot.done = true;
  }
}

}  // namespace skiff::sdk
