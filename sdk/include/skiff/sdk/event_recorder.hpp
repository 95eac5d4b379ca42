// Events about API objects ("Scheduled", "FailedScheduling", "Pulled" …), written to the API
// in the background so the component never waits on them. A repeat of the same event for
// the same object raises its count instead of adding another, as client-go's recorder does.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "skiff/sdk/api_client.hpp"

namespace google::protobuf {
class Message;
}
namespace spdlog {
class logger;
}

namespace skiff::sdk {

struct EventRecorderOptions {
  std::string component;  // source.component / reportingComponent, e.g. "default-scheduler"
  std::string host;       // source.host, e.g. the node name
  std::size_t max_pending = 10000;  // beyond this, events are dropped (and counted)
  int workers = 2;
  // client-go's spam filter: per object, a burst of this many events, then one per
  // `refill` — a ReplicaSet creating 10,000 pods says so 25 times, not 10,000.
  int burst = 25;
  std::chrono::milliseconds refill{300000};
};

class EventRecorder {
 public:
  EventRecorder(const ApiClient& api, EventRecorderOptions options, spdlog::logger* log = nullptr);
  ~EventRecorder();  // writes what is queued, then stops
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // type: "Normal" or "Warning". `object` is any API object with metadata.
  void record(const google::protobuf::Message& object, const std::string& type, const std::string& reason,
              const std::string& message);
  std::uint64_t dropped() const { return dropped_; }
  // Blocks until everything recorded so far is written (tests).
  void flush();

 private:
  struct Pending;
  void work();
  void write(const std::vector<Pending>& batch);  // one namespace

  const ApiClient& api_;
  EventRecorderOptions options_;
  spdlog::logger* log_;
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<Pending> queue_;
  int busy_ = 0;
  bool stopping_ = false;
  std::atomic<std::uint64_t> dropped_{0};
  // Events already written, by what makes them the same: their name and count.
  struct Written {
    std::string name;
    int count = 0;
  };
  std::map<std::string, Written> written_;
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };
  std::map<std::string, Bucket> buckets_;  // by object uid
  std::vector<std::thread> threads_;
};

}  // namespace skiff::sdk
