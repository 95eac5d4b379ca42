// The logs and exec streams a runtime server has under way: each a RuntimeStream on the
// caller's subject, its body on a thread of its own, ended with a `done` Chunk.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/runtime/runtime_service.hpp"

namespace skiff::sdk::detail {

class StreamRunner {
 public:
  explicit StreamRunner(Bus& bus) : bus_(bus) {}
  ~StreamRunner() { stop_all(); }
  StreamRunner(const StreamRunner&) = delete;
  StreamRunner& operator=(const StreamRunner&) = delete;

  // Listens for "<subject>.stop" (and "<subject>.stdin" when `with_stdin`) before answering
  // `request` with `accepted`, so nothing the caller sends after the answer is missed; then
  // runs `body` on a thread of its own.
  void start(const std::string& subject, bool with_stdin, StreamBody body, const Request& request,
             const std::string& accepted);
  // Tells every stream to stop and waits for their bodies; later start()s are refused (503).
  void stop_all();
  std::size_t active() const;

 private:
  class Stream;
  struct Running {
    std::shared_ptr<Stream> stream;
    std::thread thread;
  };

  void run(std::uint64_t id, const std::shared_ptr<Stream>& stream, const StreamBody& body);
  void retire(std::uint64_t id);

  Bus& bus_;
  mutable std::mutex mutex_;
  bool stopping_ = false;
  std::uint64_t next_id_ = 0;
  std::map<std::uint64_t, Running> running_;
  std::vector<std::thread> finished_;  // a thread cannot join itself: the next one to end does
};

}  // namespace skiff::sdk::detail
