#include "log_query_stream.hpp"

#include <cstdio>
#include <random>

namespace skiff::apiserver {
namespace {

std::string random_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char id[17];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(rng()));
  return id;
}

}  // namespace

LogQueryStream::LogQueryStream(sdk::Bus& bus, const sdk::Subjects& subjects)
    : bus_(bus), subject_(subjects.stream("logs-" + random_id())), queue_(std::make_shared<Queue>()) {
  // The handler holds the queue, not this object: a late batch after destruction is harmless.
  subscription_ = bus_.subscribe(subject_, [&bus = bus_, queue = queue_](const sdk::Message& m) {
    if (!m.reply.empty()) bus.publish(m.reply, "");  // the addon's heartbeat
    logging::v1::LogQueryResponse batch;
    if (!batch.ParseFromString(m.data)) return;
    std::lock_guard lock(queue->mutex);
    queue->batches.push_back(std::move(batch));
    queue->ready.notify_one();
  });
}

LogQueryStream::~LogQueryStream() { subscription_.cancel(); }

std::optional<logging::v1::LogQueryResponse> LogQueryStream::next(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(queue_->mutex);
  if (!queue_->ready.wait_until(lock, deadline, [&] { return !queue_->batches.empty(); })) return std::nullopt;
  auto batch = std::move(queue_->batches.front());
  queue_->batches.pop_front();
  return batch;
}

void LogQueryStream::stop() { bus_.publish(subject_ + ".stop", ""); }

}  // namespace skiff::apiserver
