// The object as stored, to change and write back with a full update: the informers' cached
// copies may be trimmed (shared_informers.cpp drops what no controller reads), and a full
// update must not lose what they dropped. nullopt when the object is gone or was replaced by
// another one of the same name meanwhile.
#pragma once

#include <optional>

#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::controllers {

template <class T>
std::optional<T> stored_copy(const sdk::ApiClient& api, const T& cached) {
  try {
    T stored = api.get<T>(cached.metadata().namespace_(), cached.metadata().name());
    if (stored.metadata().uid() != cached.metadata().uid()) return std::nullopt;
    return stored;
  } catch (const sdk::Error& e) {
    if (e.status().code == 404) return std::nullopt;
    throw;
  }
}

}  // namespace skiff::controllers
