// Logs and exec of simulated containers as bus streams: reply at once, then Chunks on the
// caller's subject until one with `done`; "<stream>.stop" ends it early. What is complete at
// once goes out on the request's thread; only followed logs and exec with stdin, which wait,
// get a thread of their own.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sim_runtime.hpp"
#include "skiff/sdk/bus.hpp"

namespace skiff::sim {

class SimStreams {
 public:
  SimStreams(sdk::Bus& bus, SimRuntime& runtime);
  ~SimStreams();  // ends the streams under way

  // Both throw (404, 409) before replying when there is nothing to stream from.
  void logs(const rt::LogsRequest& request, const sdk::Request& reply);
  // Without stdin: what SimRuntime::exec makes of the command. With stdin: echoes it back
  // (as `cat` would) until it is closed, exit code 0.
  void exec(const rt::ExecRequest& request, const sdk::Request& reply);

 private:
  struct Stream;
  using StreamPtr = std::shared_ptr<Stream>;

  StreamPtr open(const std::string& subject);
  void spawn(StreamPtr stream, std::function<void(Stream&)> body);
  void send(const std::string& subject, int fd, const std::string& data);
  void finish(const std::string& subject, int exit_code = 0);

  sdk::Bus& bus_;
  SimRuntime& runtime_;
  std::mutex mutex_;
  std::map<std::uint64_t, std::thread> running_;
  std::vector<std::thread> finished_;
  std::uint64_t next_id_ = 0;
  std::atomic<bool> stopping_{false};
};

}  // namespace skiff::sim
