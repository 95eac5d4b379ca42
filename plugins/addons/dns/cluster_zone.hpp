// The cluster's DNS data: Services and pods upserted and removed one at a time (no rebuild),
// read by many answering threads at once. Also knows each pod address's namespace, which the
// search-path short circuit needs.
#pragma once

#include <optional>
#include <shared_mutex>
#include <string>

#include "client_index.hpp"
#include "cluster_objects.hpp"
#include "record_store.hpp"
#include "zone_config.hpp"

namespace skiff::dns {

// Read access while a ClusterZone's shared lock is held.
struct ZoneView {
  const ZoneSettings& settings;
  const RecordStore& store;
  const ClientIndex& clients;
};

class ClusterZone {
 public:
  explicit ClusterZone(const ZoneConfig& config);  // throws std::invalid_argument on a bad config

  void upsert_service(const Service& service);
  void remove_service(std::string_view namespace_, std::string_view name);
  void upsert_pod(const Pod& pod);
  void remove_pod(std::string_view namespace_, std::string_view name);

  // The one pod (not on the host network) that has this address; nullopt when none or several.
  // (Inside read(), use the view's `clients` instead: this takes the lock itself.)
  std::optional<ClientPod> client_pod(const IpAddress& address) const;

  // Runs `reader` under the shared lock; answering never waits for more than one update.
  template <class Reader>
  auto read(Reader&& reader) const {
    std::shared_lock lock(mutex_);
    return reader(ZoneView{settings_, store_, clients_});
  }

  const ZoneSettings& settings() const { return settings_; }
  std::size_t name_count() const;

 private:
  const ZoneSettings settings_;
  mutable std::shared_mutex mutex_;
  RecordStore store_;
  ClientIndex clients_;
};

}  // namespace skiff::dns
