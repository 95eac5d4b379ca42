// The internal API on the bus (skiff.<c>.api.<verb>): the HTTP API's operations for Skiff's
// own components, Protobuf in and out, errors as status headers.
#pragma once

#include <vector>

#include "api_core.hpp"
#include "service_account_tokens.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::apiserver {

class BusApi {
 public:
  // `tokens` answers TokenRequests (create serviceaccounts/<name>/token); null: refused.
  BusApi(sdk::Bus& bus, const sdk::Subjects& subjects, ApiCore& api, int workers, ServiceAccountTokens* tokens = nullptr);
  void stop() { subscriptions_.clear(); }

 private:
  std::vector<sdk::Subscription> subscriptions_;
};

}  // namespace skiff::apiserver
