// Facts about pods and owners every controller asks: is it active, ready, available; who
// controls it; the owner reference that makes one object another's.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/sdk/resources.hpp"

namespace skiff::controllers {

// Not finished (Succeeded/Failed) and not being deleted: it counts towards replicas.
bool is_active(const api::core::v1::Pod& pod);
bool is_ready(const api::core::v1::Pod& pod);
// Ready for at least min_ready_seconds (now: the wall clock).
bool is_available(const api::core::v1::Pod& pod, int min_ready_seconds,
                  std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
// When a ready pod will count as available (for a requeue), if it is not yet.
std::optional<std::chrono::seconds> time_until_available(const api::core::v1::Pod& pod, int min_ready_seconds);

// The owner reference with controller: true, if any.
const api::meta::v1::OwnerReference* controller_of(const api::meta::v1::ObjectMeta& meta);
api::meta::v1::OwnerReference controller_reference(const api::meta::v1::ObjectMeta& owner, const sdk::ResourceType& type);

}  // namespace skiff::controllers
