// The receiving end of a stream (logs, exec output): a fresh subject skiff.<c>.stream.<id>
// whose runtime.v1.Chunk messages are queued for the caller's thread, with the two signals
// the sender listens for: "<stream>.stop" and stdin on "<stream>.stdin".
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "skiff/runtime/v1/runtime.pb.h"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::sdk {

class ChunkStream {
 public:
  // Subscribes before returning, so nothing sent after the request that names subject() is lost.
  ChunkStream(Bus& bus, const Subjects& subjects);
  ChunkStream(const ChunkStream&) = delete;
  ChunkStream& operator=(const ChunkStream&) = delete;

  const std::string& subject() const { return subject_; }
  // The next chunk, or nothing when `deadline` passes first.
  std::optional<runtime::v1::Chunk> next(std::chrono::steady_clock::time_point deadline);
  // Asks the sender to end the stream early.
  void stop();
  // Sends input to an exec's stdin; `last` closes it.
  void send_stdin(std::string data, bool last);
  // Tells an exec or attach with a tty the caller's terminal size.
  void send_resize(std::uint32_t width, std::uint32_t height);

 private:
  struct Queue {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<runtime::v1::Chunk> chunks;
  };

  Bus& bus_;
  std::string subject_;
  std::shared_ptr<Queue> queue_;
  Subscription subscription_;
};

}  // namespace skiff::sdk
