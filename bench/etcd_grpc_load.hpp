// etcd's own puts and gets over gRPC, the way etcd's `benchmark put` / `benchmark range` drive
// it: N clients, each a connection of its own with one call in flight, for a fixed time. The
// peer that says what etcd does without Skiff on top. Messages are store-etcd's etcd.proto.
#pragma once

#include <chrono>
#include <string>

#include "api_load.hpp"

namespace skiff::bench {

struct EtcdLoad {
  std::string endpoint;  // 127.0.0.1:PORT
  int clients = 1;
  std::chrono::milliseconds duration{3000};
};

// KV.Put of `value` under fresh keys `<key_prefix><n>` (each put a new key, as a create is).
Load etcd_puts(const EtcdLoad& load, const std::string& key_prefix, const std::string& value);
// Linearizable KV.Range of one key (etcd's default read, as store-etcd's get).
Load etcd_gets(const EtcdLoad& load, const std::string& key);
// One put (to seed the key the gets read); throws with etcd's answer when it fails.
void etcd_put(const std::string& endpoint, const std::string& key, const std::string& value);

}  // namespace skiff::bench
