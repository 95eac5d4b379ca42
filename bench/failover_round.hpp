// One kill of the failover benchmark: a client creates ConfigMaps one after another through a
// surviving master's API and watches them there (a namespace per round, re-watching from the
// last resourceVersion when the stream ends, as an informer does); the victim master is
// SIGKILLed with its etcd member; the times until etcd has a new leader, another store-etcd
// holds the publisher key, a write issued after the kill is acknowledged, and the watch
// delivers a ConfigMap created after the kill.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "api_connection.hpp"
#include "ha_masters.hpp"

namespace skiff::bench {

struct FailoverTimes {  // seconds after the SIGKILL; -1: not within 30 s
  double election = -1, takeover = -1, first_write = -1, first_event = -1;
  int failed_writes = 0;  // writes issued after the kill that were not acknowledged
  std::string failures;   // their answers: "503 x2, timeout x1"
  int rewatches = 0;      // watch streams that ended and were opened again
};

class FailoverRound {
 public:
  FailoverRound(HaMasters& masters, test::EtcdCluster& etcd, int victim, int survivor, int round);
  FailoverTimes measure();

 private:
  using Clock = std::chrono::steady_clock;
  void write_loop();
  void watch_loop();
  void probe_etcd();
  void on_watch_line(const std::string& line);
  void mark(std::atomic<double>& slot) const;  // the first time only
  bool all_marked() const;

  HaMasters& masters_;
  test::EtcdCluster& etcd_;
  int victim_, survivor_;
  std::string ns_;
  ApiEndpoint api_;
  std::atomic<bool> stop_{false}, killed_{false};
  Clock::time_point kill_time_;
  std::atomic<long> acked_{0}, events_{0}, first_after_kill_{-1};
  std::atomic<double> election_{-1}, takeover_{-1}, first_write_{-1}, first_event_{-1};
  std::atomic<int> rewatches_{0};
  std::mutex failures_mutex_;
  std::map<std::string, int> failures_;
  std::string resource_version_;  // the watch's last, for re-watching
  std::unique_ptr<ApiConnection> watch_connection_;
};

}  // namespace skiff::bench
