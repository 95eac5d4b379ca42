// One kill of the failover benchmark. Two clients create ConfigMaps one after another through a
// surviving master's API: an impatient one (250 ms timeout, then it retries on a new connection)
// and a patient one (no timeout of its own, as kubectl by default); a third watches them there
// (a namespace per round, re-watching from the last resourceVersion when the stream ends, as an
// informer does). The victim master is SIGKILLed with its etcd member; measured from then: etcd
// has a new leader, another store-etcd holds the publisher key, each client's first write issued
// after the kill is acknowledged, the watch delivers a ConfigMap created after the kill; and whether
// every acknowledged write reached the watch.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "api_connection.hpp"
#include "ha_masters.hpp"

namespace skiff::bench {

struct FailoverTimes {  // seconds after the SIGKILL; -1: not within 30 s
  double election = -1, takeover = -1, first_event = -1;
  double retrying_write = -1, patient_write = -1;
  std::string retrying_failures;  // the impatient client's failed attempts before: "timeout x1, 503 x2"
  std::string patient_in_flight;  // how the patient client's write in flight at the kill ended
  int rewatches = 0;              // watch streams that ended and were opened again
  long acknowledged = 0;          // writes acknowledged in the round (both clients)
  long unseen = 0;                // of those, never delivered to the watch (10 s after the writers stop)
  double longest_lag = -1;        // the longest an acknowledged write took to reach the watch
  long rewatch_unseen = 0;        // of those, missing from a new watch from the round's start (asked only then)
};

class FailoverRound {
 public:
  FailoverRound(HaMasters& masters, test::EtcdCluster& etcd, int victim, int survivor, int round);
  FailoverTimes measure();

 private:
  using Clock = std::chrono::steady_clock;
  struct Writer {
    Writer(std::string name_, std::chrono::milliseconds timeout_) : name(std::move(name_)), timeout(timeout_) {}
    std::string name;  // ConfigMaps <name>-<seq>
    std::chrono::milliseconds timeout;
    std::atomic<long> acked{0}, first_after_kill{-1};
    std::atomic<double> first_write{-1};
    std::mutex mutex;
    std::map<std::string, int> failures;  // answers after the kill, before the first success
    std::string in_flight;                // the answer to the write in flight at the kill
    std::map<long, std::chrono::steady_clock::time_point> acked_at;  // seq → when
  };
  void write_loop(Writer& writer);
  void watch_loop();
  void probe_etcd();
  void on_watch_line(const std::string& line);
  double since_kill() const;
  void mark(std::atomic<double>& slot) const;  // the first time only
  bool all_marked() const;
  // Acknowledged writes the watch has not delivered (yet); the first ten names into `names`.
  long unseen(std::string* names = nullptr);
  long missing_from(const std::string& watch_output);
  double longest_lag();
  std::vector<std::string> curl_watch(const std::string& seconds) const;

  HaMasters& masters_;
  test::EtcdCluster& etcd_;
  int victim_, survivor_;
  std::string ns_;
  ApiEndpoint api_;
  std::atomic<bool> stop_{false}, watch_stop_{false}, killed_{false};  // stop_: the writers
  Clock::time_point kill_time_;
  Writer retrying_{"r", std::chrono::milliseconds(250)}, patient_{"p", std::chrono::seconds(60)};
  std::atomic<long> events_{0};
  std::atomic<double> election_{-1}, takeover_{-1}, first_event_{-1};
  std::atomic<int> rewatches_{0};
  std::mutex seen_mutex_;
  std::map<std::string, Clock::time_point> seen_;  // names delivered to the watch, when
  std::string resource_version_;  // the watch's last, for re-watching
  std::string start_version_;     // the namespace's creation
  std::unique_ptr<ApiConnection> watch_connection_;
};

}  // namespace skiff::bench
