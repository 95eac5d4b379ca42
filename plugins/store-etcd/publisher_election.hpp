// Which store-etcd instance publishes watch events: the one holding <prefix>/publisher, a key
// bound to its etcd lease (etcd's election recipe). Every instance campaigns each tick; the
// holder keeps its lease alive and checks the key is still its own. A holder that dies loses the
// key when its lease expires (lease_ttl), one that stops revokes it at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "etcd_client.hpp"
#include "key_layout.hpp"

namespace spdlog {
class logger;
}

namespace skiff::store_etcd {

class PublisherElection {
 public:
  struct Handlers {
    std::function<void()> elected;          // this instance publishes from now on
    std::function<void()> deposed;          // another one does (or nobody can tell)
    std::function<void(bool leading)> tick;  // after every round
  };

  // Campaigns once before returning (a lone instance publishes from its first write on).
  PublisherElection(EtcdClient& client, const KeyLayout& layout, std::string identity, std::chrono::seconds ttl,
                    Handlers handlers, spdlog::logger& log);
  ~PublisherElection();
  // Gives the key up (revokes the lease) so another instance takes over at once.
  void stop();
  bool leading() const { return leading_; }

 private:
  void run();
  void round();
  bool ensure_lease();
  bool keep_alive();
  bool campaign();  // true when the key is this instance's
  void set_leading(bool leading);

  EtcdClient& client_;
  const KeyLayout& layout_;
  std::string identity_;
  std::chrono::seconds ttl_;
  std::chrono::milliseconds tick_;
  Handlers handlers_;
  spdlog::logger& log_;
  std::int64_t lease_ = 0;
  std::atomic<bool> leading_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::store_etcd
