// The objects a pod names (what the Node authorizer lets its node read): Secrets, ConfigMaps,
// PersistentVolumeClaims and its ServiceAccount.
#pragma once

#include <set>
#include <string>

#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::apiserver {

struct PodReferences {
  std::set<std::string> secrets;
  std::set<std::string> config_maps;
  std::set<std::string> claims;
  std::string service_account;

  // The names of `kind` ("Secret", "ConfigMap", "PersistentVolumeClaim", "ServiceAccount").
  bool names(const std::string& kind, const std::string& name) const;
};

PodReferences references_of(const api::core::v1::Pod& pod);

}  // namespace skiff::apiserver
