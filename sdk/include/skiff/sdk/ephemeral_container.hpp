// An ephemeral container seen as the Container it shares its fields with (same field numbers).
#pragma once

#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::sdk {

// The Container an ephemeral container describes (targetContainerName dropped): the kubelet
// runs it, and the API defaults it, as any other container.
inline api::core::v1::Container as_container(const api::core::v1::EphemeralContainer& ephemeral) {
  api::core::v1::Container container;
  container.ParseFromString(ephemeral.SerializeAsString());
  container.DiscardUnknownFields();
  return container;
}

// Back again, with its target.
inline api::core::v1::EphemeralContainer as_ephemeral(const api::core::v1::Container& container,
                                                      const std::string& target_container_name) {
  api::core::v1::EphemeralContainer ephemeral;
  ephemeral.ParseFromString(container.SerializeAsString());
  ephemeral.set_target_container_name(target_container_name);
  return ephemeral;
}

}  // namespace skiff::sdk
