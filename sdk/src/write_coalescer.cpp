// Leader/follower combining: whoever finds a free sending slot takes everything queued.
#include "write_coalescer.hpp"

namespace skiff::sdk::detail {

WriteCoalescer::WriteCoalescer(Bus& bus, std::string subject, std::chrono::milliseconds timeout, std::size_t max_batch,
                               int max_in_flight)
    : bus_(bus), subject_(std::move(subject)), timeout_(timeout), max_batch_(max_batch), max_in_flight_(max_in_flight) {}

store::v1::TxnResponse WriteCoalescer::run(store::v1::TxnRequest request) {
  auto slot = std::make_shared<Slot>();
  slot->request = std::move(request);
  std::unique_lock lock(mutex_);
  queue_.push_back(slot);
  while (!slot->done) {
    if (in_flight_ < max_in_flight_ && !queue_.empty()) {
      std::vector<std::shared_ptr<Slot>> batch;
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
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
  return std::move(slot->response);
}

void WriteCoalescer::send(std::vector<std::shared_ptr<Slot>>& batch) {
  store::v1::BatchRequest request;
  for (auto& slot : batch) *request.add_transactions() = slot->request;
  Reply reply = bus_.request(subject_, request.SerializeAsString(), timeout_);
  store::v1::BatchResponse response;
  if (reply.ok() && (!response.ParseFromString(reply.data) || response.results_size() != static_cast<int>(batch.size())))
    reply.status = Status::Internal("store: malformed batch reply on " + subject_);
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Slot& slot = *batch[i];
    if (!reply.ok()) {
      slot.status = reply.status;
    } else {
      auto& result = *response.mutable_results(static_cast<int>(i));
      slot.status = {result.code(), result.reason(), result.message()};
      slot.response = std::move(*result.mutable_response());
    }
    slot.done = true;
  }
}

}  // namespace skiff::sdk::detail
