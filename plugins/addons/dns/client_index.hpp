// Which pod sent a query, by its source address: the namespace (and whether its search list is
// the standard one) that the search-path short circuit needs. Not thread-safe: ClusterZone
// guards it with the zone's lock.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cluster_objects.hpp"

namespace skiff::dns {

struct ClientPod {
  std::string namespace_;
  bool standard_search_path = true;
};

class ClientIndex {
 public:
  // `key` names the pod (its namespace and name); a pod upserted again replaces itself.
  void upsert(const std::string& key, const Pod& pod);
  void remove(const std::string& key);

  // The one pod (not on the host network) that has this address; nullopt when none or several.
  std::optional<ClientPod> find(const IpAddress& address) const;

 private:
  struct Entry {
    std::vector<IpAddress> ips;
    ClientPod client;
  };

  void forget_addresses(const std::string& key);

  std::unordered_map<std::string, Entry> pods_;
  std::unordered_map<IpAddress, std::vector<const std::string*>> by_address_;  // keys of pods_
};

}  // namespace skiff::dns
