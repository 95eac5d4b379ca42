// The internal API on the bus (skiff.<c>.api.<verb>): the HTTP API's operations for Skiff's
// own components, Protobuf in and out, errors as status headers.
#pragma once

#include <vector>

#include "api_core.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::apiserver {

class BusApi {
 public:
  BusApi(sdk::Bus& bus, const sdk::Subjects& subjects, ApiCore& api, int workers);
  void stop() { subscriptions_.clear(); }

 private:
  std::vector<sdk::Subscription> subscriptions_;
};

}  // namespace skiff::apiserver
