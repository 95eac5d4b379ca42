// The store's batches, combined by whichever caller finds a free sending slot.
#include "write_coalescer.hpp"

namespace skiff::sdk::detail {

WriteCoalescer::WriteCoalescer(Bus& bus, std::string subject, std::chrono::milliseconds timeout, std::size_t max_batch,
                               int max_in_flight)
    : bus_(bus), subject_(std::move(subject)), timeout_(timeout), max_batch_(max_batch), combiner_(max_in_flight) {}

store::v1::TxnResponse WriteCoalescer::run(store::v1::TxnRequest request) {
  auto slot = std::make_shared<Slot>();
  slot->request = std::move(request);
  auto take = [this](std::deque<std::shared_ptr<Slot>>& queue) {
    std::vector<std::shared_ptr<Slot>> batch;
    while (!queue.empty() && batch.size() < max_batch_) {
      batch.push_back(std::move(queue.front()));
      queue.pop_front();
    }
    return batch;
  };
  combiner_.run(slot, take, [this](std::vector<std::shared_ptr<Slot>>& batch) { send(batch); });
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
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Slot& slot = *batch[i];
    if (!reply.ok()) {
      slot.status = reply.status;
    } else {
      auto& result = *response.mutable_results(static_cast<int>(i));
      slot.status = {result.code(), result.reason(), result.message()};
      slot.response = std::move(*result.mutable_response());
    }
  }
}

}  // namespace skiff::sdk::detail
