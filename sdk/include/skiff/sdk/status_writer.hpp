// Status updates from many threads (a kubelet's pod workers) coalesced into api.statusmany
// requests: while a request is on its way, new updates queue and leave together in the next
// one, so a node starting 100 pods writes their status in a few requests and store batches
// instead of 100 of each. Each caller still blocks for, and gets, its own result.
#pragma once

#include <memory>
#include <string>

#include "skiff/sdk/api_client.hpp"

namespace skiff::sdk {

class StatusWriter {
 public:
  explicit StatusWriter(const ApiClient& api, std::size_t max_batch = 100, int max_in_flight = 2);
  ~StatusWriter();

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
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::sdk
