// The internal API on the bus (skiff.<c>.api.<verb>): the HTTP API's operations for Skiff's
// own components, Protobuf in and out, errors as status headers. Every verb is served twice:
// on skiff.<c>.api.<verb> for the master's components (unrestricted), and on
// skiff.<c>.node.*.api.<verb>, where only node <n>'s bus user can publish, under the Node
// authorizer (node_authorizer.hpp).
#pragma once

#include <vector>

#include "api_core.hpp"
#include "node_authorizer.hpp"
#include "node_redaction.hpp"
#include "service_account_tokens.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::apiserver {

class BusApi {
 public:
  // `tokens` answers TokenRequests (create serviceaccounts/<name>/token); null: refused.
  BusApi(sdk::Bus& bus, const sdk::Subjects& subjects, ApiCore& api, int workers, ServiceAccountTokens* tokens = nullptr);
  void stop() {
    subscriptions_.clear();
    relay_.stop();
  }

 private:
  // createmany, statusmany, bindmany (bus_api_batches.cpp).
  void serve_batch_verbs(sdk::Bus& bus, const sdk::Subjects& subjects, ApiCore& api, int workers);
  // A verb on the cluster's subject and, under the Node authorizer, on every node's.
  template <class Request, class Handler>
  void serve_for_cluster_and_nodes(sdk::Bus& bus, const sdk::Subjects& subjects, const char* verb, int workers,
                                   Handler handler);

  NodeAuthorizer authorizer_;
  NodeWatchRelay relay_;
  std::vector<sdk::Subscription> subscriptions_;  // last: cancelled before what handlers use goes
};

}  // namespace skiff::apiserver
