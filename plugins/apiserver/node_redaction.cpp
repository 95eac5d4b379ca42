// Redaction keeps every event and its revision (an informer sees no gap), only the payload goes.
#include "node_redaction.hpp"

#include "skiff/api/core/v1/core.pb.h"

namespace skiff::apiserver {
namespace {

namespace core = api::core::v1;

constexpr const char* kTlsSecret = "kubernetes.io/tls";

std::string redacted(const std::string& kind, const std::string& bytes) {
  if (kind == "Secret") {
    core::Secret secret;
    if (!secret.ParseFromString(bytes) || secret.type() == kTlsSecret) return bytes;
    secret.clear_data();
    secret.clear_string_data();
    return secret.SerializeAsString();
  }
  core::ConfigMap map;
  if (!map.ParseFromString(bytes)) return bytes;
  map.clear_data();
  map.clear_binary_data();
  return map.SerializeAsString();
}

bool applies(const sdk::ResourceType& type) { return sdk::node_redacted_kind(type.group, type.kind); }

}  // namespace

void redact_for_nodes(const sdk::ResourceType& type, google::protobuf::RepeatedPtrField<std::string>& objects) {
  if (!applies(type)) return;
  for (auto& bytes : objects) bytes = redacted(type.kind, bytes);
}

void redact_for_nodes(const sdk::ResourceType& type, store::v1::HistoryResponse& history) {
  if (!applies(type)) return;
  for (auto& event : *history.mutable_events()) event.set_object(redacted(type.kind, event.object()));
}

NodeWatchRelay::NodeWatchRelay(sdk::Bus& bus, const sdk::Subjects& subjects) {
  for (const char* kind : {"Secret", "ConfigMap"}) {
    std::string to = subjects.node_watch("", kind);
    subscriptions_.push_back(bus.subscribe(subjects.watch("", kind), [&bus, to, kind = std::string(kind)](const sdk::Message& m) {
      store::v1::WatchBatch batch;
      if (!batch.ParseFromString(m.data)) return;
      for (auto& event : *batch.mutable_events()) event.set_object(redacted(kind, event.object()));
      bus.publish(to, batch.SerializeAsString());
    }));
  }
}

}  // namespace skiff::apiserver
