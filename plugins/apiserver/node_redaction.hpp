// What a node sees of Secrets and ConfigMaps it has no pod for: their metadata, never their
// data — except TLS Secrets, which the ingress addon on every worker serves. Applied to lists
// and history on the node-scoped API and to the watch events relayed to skiff.<c>.nodewatch.….
#pragma once

#include <string>

#include <google/protobuf/repeated_ptr_field.h>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/resources.hpp"
#include "skiff/sdk/subjects.hpp"
#include "skiff/store/v1/store.pb.h"

namespace skiff::apiserver {

// Serialized objects of `type`, redacted in place (other kinds pass untouched).
void redact_for_nodes(const sdk::ResourceType& type, google::protobuf::RepeatedPtrField<std::string>& objects);
void redact_for_nodes(const sdk::ResourceType& type, store::v1::HistoryResponse& history);

// Republishes the store's Secret and ConfigMap watch batches, redacted, on their nodewatch
// subjects. Each API server replica relays every batch; informers skip the repeats.
class NodeWatchRelay {
 public:
  NodeWatchRelay(sdk::Bus& bus, const sdk::Subjects& subjects);
  void stop() { subscriptions_.clear(); }

 private:
  std::vector<sdk::Subscription> subscriptions_;
};

}  // namespace skiff::apiserver
