#include "skiff/sdk/chunk_stream.hpp"

#include <cstdio>
#include <random>

namespace skiff::sdk {

namespace {

std::string random_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char id[17];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(rng()));
  return id;
}

}  // namespace

ChunkStream::ChunkStream(Bus& bus, const Subjects& subjects)
    : bus_(bus), subject_(subjects.stream(random_id())), queue_(std::make_shared<Queue>()) {
  // The handler holds the queue, not this object: a late chunk after destruction is harmless.
  subscription_ = bus_.subscribe(subject_, [queue = queue_](const Message& m) {
    runtime::v1::Chunk chunk;
    if (!chunk.ParseFromString(m.data)) return;
    std::lock_guard lock(queue->mutex);
    queue->chunks.push_back(std::move(chunk));
    queue->ready.notify_one();
  });
}

std::optional<runtime::v1::Chunk> ChunkStream::next(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(queue_->mutex);
  if (!queue_->ready.wait_until(lock, deadline, [&] { return !queue_->chunks.empty(); })) return std::nullopt;
  runtime::v1::Chunk chunk = std::move(queue_->chunks.front());
  queue_->chunks.pop_front();
  return chunk;
}

void ChunkStream::stop() { bus_.publish(subject_ + ".stop", ""); }

void ChunkStream::send_stdin(std::string data, bool last) {
  runtime::v1::Chunk chunk;
  chunk.set_fd(0);
  chunk.set_data(std::move(data));
  chunk.set_done(last);
  bus_.publish(subject_ + ".stdin", chunk.SerializeAsString());
}

void ChunkStream::send_resize(std::uint32_t width, std::uint32_t height) {
  runtime::v1::TerminalSize size;
  size.set_width(width);
  size.set_height(height);
  bus_.publish(subject_ + ".resize", size.SerializeAsString());
}

}  // namespace skiff::sdk
