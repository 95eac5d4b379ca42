// Status updates from many threads (a kubelet's pod workers) coalesced into api.statusmany
// requests: while a request is on its way, new updates queue and leave together in the next
// one, so a node starting 100 pods writes their status in a few requests and store batches
// instead of 100 of each. Each caller still blocks for, and gets, its own result.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "skiff/sdk/api_client.hpp"

namespace skiff::sdk {

class StatusWriter {
 public:
  explicit StatusWriter(const ApiClient& api, std::size_t max_batch = 100, int max_in_flight = 2);

  // What api.update(object, "status") does; throws Error with this object's own status.
  template <class T>
  T update(const T& object) {
    T stored;
    std::string bytes = update_bytes(resource_type_of<T>(), object.SerializeAsString());
    if (!stored.ParseFromString(bytes)) throw Error(Status::Internal("the API answered an unreadable " + T::descriptor()->name()));
    return stored;
  }
  std::string update_bytes(const ResourceType& type, std::string object);

 private:
  struct Slot {
    const ResourceType* type;
    std::string object;
    bool done = false;
    Status status;
    std::string stored;
  };
  std::vector<std::shared_ptr<Slot>> take_batch();
  void send(std::vector<std::shared_ptr<Slot>>& batch);

  const ApiClient& api_;
  std::size_t max_batch_;
  int max_in_flight_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<Slot>> queue_;
  int in_flight_ = 0;
};

}  // namespace skiff::sdk
