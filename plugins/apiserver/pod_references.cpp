// Walks a pod's spec for the names its volumes, env and image pulls use.
#include "pod_references.hpp"

namespace skiff::apiserver {
namespace {

namespace core = api::core::v1;

template <typename C>
void add_container(PodReferences& refs, const C& container) {
  for (const auto& from : container.env_from()) {
    if (from.has_secret_ref()) refs.secrets.insert(from.secret_ref().name());
    if (from.has_config_map_ref()) refs.config_maps.insert(from.config_map_ref().name());
  }
  for (const auto& env : container.env()) {
    if (!env.has_value_from()) continue;
    if (env.value_from().has_secret_key_ref()) refs.secrets.insert(env.value_from().secret_key_ref().name());
    if (env.value_from().has_config_map_key_ref()) refs.config_maps.insert(env.value_from().config_map_key_ref().name());
  }
}

void add_volume(PodReferences& refs, const core::Volume& volume) {
  if (volume.has_secret()) refs.secrets.insert(volume.secret().secret_name());
  if (volume.has_config_map()) refs.config_maps.insert(volume.config_map().name());
  if (volume.has_persistent_volume_claim()) refs.claims.insert(volume.persistent_volume_claim().claim_name());
  if (!volume.has_projected()) return;
  for (const auto& source : volume.projected().sources()) {
    if (source.has_secret()) refs.secrets.insert(source.secret().name());
    if (source.has_config_map()) refs.config_maps.insert(source.config_map().name());
  }
}

}  // namespace

bool PodReferences::names(const std::string& kind, const std::string& name) const {
  if (kind == "Secret") return secrets.count(name) > 0;
  if (kind == "ConfigMap") return config_maps.count(name) > 0;
  if (kind == "PersistentVolumeClaim") return claims.count(name) > 0;
  if (kind == "ServiceAccount") return service_account == name;
  return false;
}

PodReferences references_of(const core::Pod& pod) {
  PodReferences refs;
  const auto& spec = pod.spec();
  refs.service_account = spec.service_account_name().empty() ? "default" : spec.service_account_name();
  for (const auto& secret : spec.image_pull_secrets()) refs.secrets.insert(secret.name());
  for (const auto& c : spec.init_containers()) add_container(refs, c);
  for (const auto& c : spec.containers()) add_container(refs, c);
  for (const auto& c : spec.ephemeral_containers()) add_container(refs, c);
  for (const auto& volume : spec.volumes()) add_volume(refs, volume);
  return refs;
}

}  // namespace skiff::apiserver
