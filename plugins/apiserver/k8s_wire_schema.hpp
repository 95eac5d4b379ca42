// Kubernetes' protobuf wire schema (generated.proto's field numbers) of every kind the API
// serves: one table for the messages whose Skiff proto numbers differ from Kubernetes', the
// rest read off Skiff's own descriptors, whose numbers follow k8s.io/api.
#pragma once

#include <map>
#include <string>

namespace skiff::apiserver {

// One field of a Kubernetes message. `type` is a scalar (string, bytes, bool, int32, int64), a
// special (Time, Quantity, IntOrString, RawExtension), a map ("map:" + value type) or a message's schema key.
// `inline_` marks Go's embedded structs, whose fields sit at the parent's level in JSON.
struct WireField {
  std::string json;
  std::string type;
  bool repeated = false;
  bool inline_ = false;
};
using WireMessage = std::map<int, WireField>;

// The message under a schema key, nullptr when there is none.
const WireMessage* wire_message(const std::string& key);

// The schema key of a top-level kind ("Deployment", "DeleteOptions", "PodDisruptionBudget"),
// "" when no schema is known: the hand table's kinds (which include the non-resource kinds
// kubectl sends: DeleteOptions, Eviction, Scale) and every kind of the resource table.
std::string wire_kind(const std::string& api_version, const std::string& kind);

// Every kind wire_kind knows, for error messages and tests.
std::string wire_kinds_text();

}  // namespace skiff::apiserver
