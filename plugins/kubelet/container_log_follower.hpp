// Follows one container's log through its runtime (logs with follow, timestamps, and
// since_time_unix_nano = where it left off) and hands each line on as LogLine records: split
// when long, with the pod's metadata, the message id that makes a resend harmless, and the
// container's position after it. Reads again from that position when the stream breaks
// (runtime or bus away, chunks lost), and ends when the runtime says the log is over.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "log_batcher.hpp"
#include "skiff/logging/v1/logging.pb.h"
#include "skiff/sdk/runtime/runtime_client.hpp"
#include "stamped_line_reader.hpp"

namespace spdlog {
class logger;
}

namespace skiff::kubelet {

struct FollowedContainer {
  std::string id;                        // the runtime's
  const sdk::RuntimeClient* runtime = nullptr;
  std::string subject;                   // skiff.<c>.logs.<ns>.<pod>.<pod uid>.<container>
  logging::v1::LogLine metadata;         // every field but stream, time, line and parts
};

struct FollowerOptions {
  std::size_t max_line_bytes = 64 * 1024;
  std::chrono::milliseconds retry{1000};  // after a broken stream
  std::chrono::milliseconds poll{500};    // how soon a stop is noticed on a quiet log
  std::chrono::milliseconds reopen_after{30000};  // a silent stream is opened again after this
};

class ContainerLogFollower {
 public:
  using Emit = std::function<void(ShipRecord)>;
  ContainerLogFollower(FollowedContainer container, LogPosition from, FollowerOptions options, Emit emit,
                       spdlog::logger& log);
  ~ContainerLogFollower();

  void start();
  void request_stop() { stopping_ = true; }  // many followers stop at once: ask all, then stop() each
  void stop();  // returns once the thread has left
  // The runtime ended the log: the container has exited (or is gone) and all of it was read.
  bool finished() const { return finished_; }
  bool running() const { return running_; }
  const FollowedContainer& container() const { return container_; }

  // The id a line part gets in the stream: "<pod uid>/<container>/<attempt>/<time>.<n>[.<part>]".
  static std::string message_id(const logging::v1::LogLine& line, std::uint32_t index_at_time);

 private:
  void run();
  // One logs request from position_; false when the log is over for good.
  bool follow_once();
  void hand_on(const StampedLine& line);
  bool container_exited() const;

  FollowedContainer container_;
  LogPosition position_;       // after the last line handed on
  LogPosition resume_;         // where the current request started: lines up to it are skipped
  FollowerOptions options_;
  Emit emit_;
  spdlog::logger& log_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> finished_{false};
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace skiff::kubelet
