// What every controller is: informer handlers that queue keys, and workers that reconcile
// one key at a time against what the informers show (level-triggered: each sync compares
// desired and observed state afresh, so a missed event or a restart never leaves it wrong).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "shared_informers.hpp"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/event_recorder.hpp"
#include "skiff/sdk/work_queue.hpp"

namespace spdlog {
class logger;
}

namespace skiff::controllers {

// What a controller gets to work with.
struct ControllerContext {
  SharedInformers& informers;
  const sdk::ApiClient& api;
  spdlog::logger& log;
  std::string host;  // events' source.host
  // Only the replica holding the lease acts; the others keep their caches and queues warm.
  std::atomic<bool>& leading;
};

class Controller {
 public:
  explicit Controller(ControllerContext& context, std::string name);
  virtual ~Controller();

  const std::string& name() const { return name_; }
  // Before the informers start: add handlers (they call enqueue).
  virtual void register_handlers() = 0;
  // Once the informers have synced: queue every object once, start the workers.
  virtual void run(int workers);
  // Queue every object again (on becoming the leader).
  void resync();
  void stop();

 protected:
  // Reconciles one key ("namespace/name"); true when done, false (or a throw) to retry it
  // with back-off.
  virtual bool sync(const std::string& key) = 0;
  // The keys to queue at start (every object of the controller's main type).
  virtual std::vector<std::string> initial_keys() = 0;

  void enqueue(const std::string& key) { queue_.add(key); }
  void enqueue_after(const std::string& key, std::chrono::milliseconds delay) { queue_.add_after(key, delay); }

  ControllerContext& context_;
  sdk::EventRecorder events_;

 private:
  std::string name_;
  sdk::WorkQueue queue_;
};

// "namespace/name" of an object.
std::string key_of(const google::protobuf::Message& object);
std::pair<std::string, std::string> split_key(const std::string& key);

}  // namespace skiff::controllers
