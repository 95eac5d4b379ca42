// Volume payloads: Kubernetes' configmap.MakePayload, secret.MakePayload,
// downwardapi.CollectData and the projected plugin's collectData, over Skiff's types.
#include "volume_payloads.hpp"

#include <optional>

#include "skiff/api/core/v1/core.pb.h"

namespace skiff::kubelet {

namespace core = api::core::v1;

namespace {

using Strings = google::protobuf::Map<std::string, std::string>;
using Items = google::protobuf::RepeatedPtrField<core::KeyToPath>;

constexpr int kDefaultMode = 0644;

[[noreturn]] void config_error(const std::string& message) {
  throw sdk::Error(sdk::Status{422, "CreateContainerConfigError", message});
}

template <class T>
std::optional<T> fetch(const sdk::ApiClient& api, const std::string& ns, const std::string& name) {
  try {
    return api.get<T>(ns, name);
  } catch (const sdk::Error& e) {
    if (e.status().code == 404) return std::nullopt;
    throw;
  }
}

// A ConfigMap's or Secret's keys as files: all of them, or the items' keys at the items' paths.
struct KeyedSource {
  const char* kind;        // "configmap", "secret"
  const char* key_words;   // how Kubernetes names a missing key of it
  std::string name;
  const Strings* text;     // data (a Secret's, already decoded)
  const Strings* binary;   // a ConfigMap's binaryData; nullptr for a Secret
  const Items* items;
  bool optional;
};

void add_keyed(VolumePayload& payload, const KeyedSource& source, int default_mode, const std::string& volume) {
  if (source.items->empty()) {
    for (const auto* map : {source.text, source.binary})
      if (map)
        for (const auto& [key, value] : *map) payload[key] = {value, default_mode};
    return;
  }
  for (const auto& item : *source.items) {
    const std::string* value = nullptr;
    for (const auto* map : {source.text, source.binary})
      if (map && !value)
        if (auto found = map->find(item.key()); found != map->end()) value = &found->second;
    if (!value) {
      if (source.optional) continue;
      config_error(std::string(source.kind) + " references non-existent " + source.key_words + " key: " + item.key() +
                   " (volume " + volume + ")");
    }
    payload[item.path()] = {*value, item.has_mode() ? item.mode() : default_mode};
  }
}

void add_config_map(VolumePayload& payload, const core::Pod& pod, const std::string& name, const Items& items,
                    bool optional, int default_mode, const std::string& volume, const sdk::ApiClient& api) {
  auto cm = fetch<core::ConfigMap>(api, pod.metadata().namespace_(), name);
  if (!cm) {
    if (optional) return;
    config_error("configmap \"" + name + "\" not found (volume " + volume + ")");
  }
  add_keyed(payload, {"configmap", "config", name, &cm->data(), &cm->binary_data(), &items, optional}, default_mode, volume);
}

void add_secret(VolumePayload& payload, const core::Pod& pod, const std::string& name, const Items& items,
                bool optional, int default_mode, const std::string& volume, const sdk::ApiClient& api) {
  auto secret = fetch<core::Secret>(api, pod.metadata().namespace_(), name);
  if (!secret) {
    if (optional) return;
    config_error("secret \"" + name + "\" not found (volume " + volume + ")");
  }
  add_keyed(payload, {"secret", "secret", name, &secret->data(), nullptr, &items, optional}, default_mode, volume);
}

void add_downward(VolumePayload& payload, const core::Pod& pod,
                  const google::protobuf::RepeatedPtrField<core::DownwardAPIVolumeFile>& items, int default_mode,
                  const DownwardContext& context) {
  for (const auto& item : items) {
    std::string value = item.has_field_ref() ? field_ref_value(pod, item.field_ref(), context)
                        : item.has_resource_field_ref()
                            ? resource_field_value(pod, nullptr, item.resource_field_ref(), context)
                            : "";
    payload[item.path()] = {value, item.has_mode() ? item.mode() : default_mode};
  }
}

// The sources in order, a later file over an earlier one at the same path (the API refuses that).
void add_projected(VolumePayload& payload, const core::Pod& pod, const core::Volume& volume, const sdk::ApiClient& api,
                   const DownwardContext& context) {
  const auto& projected = volume.projected();
  int mode = projected.has_default_mode() ? projected.default_mode() : kDefaultMode;
  for (const auto& source : projected.sources()) {
    if (source.has_service_account_token()) {
      if (!context.service_account_token)
        config_error("volume " + volume.name() + ": this kubelet cannot ask the API for service account tokens");
      payload[source.service_account_token().path()] = {context.service_account_token(pod, source.service_account_token()),
                                                        mode};
    }
    if (source.has_config_map())
      add_config_map(payload, pod, source.config_map().name(), source.config_map().items(),
                     source.config_map().optional(), mode, volume.name(), api);
    if (source.has_secret())
      add_secret(payload, pod, source.secret().name(), source.secret().items(), source.secret().optional(), mode,
                 volume.name(), api);
    if (source.has_downward_api()) add_downward(payload, pod, source.downward_api().items(), mode, context);
  }
}

}  // namespace

bool has_payload(const core::Volume& volume) {
  return volume.has_config_map() || volume.has_secret() || volume.has_downward_api() || volume.has_projected();
}

bool holds_token(const core::Volume& volume) {
  for (const auto& source : volume.projected().sources())
    if (source.has_service_account_token()) return true;
  return false;
}

bool reads_the_pod(const core::Volume& volume) {
  if (volume.has_downward_api()) return true;
  for (const auto& source : volume.projected().sources())
    if (source.has_downward_api()) return true;
  return false;
}

VolumePayload volume_payload(const core::Pod& pod, const core::Volume& volume, const sdk::ApiClient& api,
                             const DownwardContext& context) {
  VolumePayload payload;
  if (volume.has_config_map()) {
    const auto& cm = volume.config_map();
    add_config_map(payload, pod, cm.name(), cm.items(), cm.optional(), cm.has_default_mode() ? cm.default_mode() : kDefaultMode,
                   volume.name(), api);
  } else if (volume.has_secret()) {
    const auto& s = volume.secret();
    add_secret(payload, pod, s.secret_name(), s.items(), s.optional(), s.has_default_mode() ? s.default_mode() : kDefaultMode,
               volume.name(), api);
  } else if (volume.has_downward_api()) {
    const auto& d = volume.downward_api();
    add_downward(payload, pod, d.items(), d.has_default_mode() ? d.default_mode() : kDefaultMode, context);
  } else if (volume.has_projected()) {
    add_projected(payload, pod, volume, api, context);
  }
  return payload;
}

}  // namespace skiff::kubelet
