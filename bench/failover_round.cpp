#include "failover_round.hpp"

#include <regex>
#include <stdexcept>
#include <thread>

#include "wait.hpp"

namespace skiff::bench {

using namespace std::chrono_literals;

namespace {

std::string configmap(const std::string& name) {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name + R"("},"data":{"n":")" + name + R"("}})";
}

}  // namespace

FailoverRound::FailoverRound(HaMasters& masters, test::EtcdCluster& etcd, int victim, int survivor, int round)
    : masters_(masters), etcd_(etcd), victim_(victim), survivor_(survivor), ns_("failover-" + std::to_string(round)),
      api_(masters.api(survivor)) {
  int status = ApiConnection(api_.port, api_.token).post("/api/v1/namespaces", R"({"metadata":{"name":")" + ns_ + "\"}}");
  if (status != 201) throw std::runtime_error("creating namespace " + ns_ + " answered " + std::to_string(status));
}

void FailoverRound::mark(std::atomic<double>& slot) const {
  double now = std::chrono::duration<double>(Clock::now() - kill_time_).count();
  double unset = -1;
  slot.compare_exchange_strong(unset, now);
}

bool FailoverRound::all_marked() const {
  return election_ >= 0 && takeover_ >= 0 && first_write_ >= 0 && first_event_ >= 0;
}

void FailoverRound::write_loop() {
  // A generous timeout: a request the dead master held is answered by the API's own timeout.
  ApiConnection connection(api_.port, api_.token, 30s);
  const std::string target = "/api/v1/namespaces/" + ns_ + "/configmaps";
  for (long seq = 0; !stop_; ++seq) {
    bool after = killed_;
    if (after && first_after_kill_ < 0) first_after_kill_ = seq;
    int status = connection.post(target, configmap("cm-" + std::to_string(seq)));
    if (status == 201) {
      ++acked_;
      if (after) mark(first_write_);
    } else if (after && first_write_ < 0) {
      std::lock_guard lock(failures_mutex_);
      ++failures_[status == 0 ? "timeout" : std::to_string(status)];
    }
  }
}

void FailoverRound::on_watch_line(const std::string& line) {
  static const std::regex name_pattern(R"re("name":"cm-([0-9]+)")re");
  static const std::regex version_pattern(R"re("resourceVersion":"([0-9]+)")re");
  std::smatch m;
  if (line.find("\"type\":\"ERROR\"") != std::string::npos) {
    resource_version_.clear();  // 410 Gone: start again from now
    return;
  }
  if (std::regex_search(line, m, version_pattern)) resource_version_ = m[1];
  if (!std::regex_search(line, m, name_pattern)) return;
  ++events_;
  long first = first_after_kill_;
  if (first >= 0 && std::stol(m[1]) >= first) mark(first_event_);
}

void FailoverRound::watch_loop() {
  while (!stop_) {
    std::string target = "/api/v1/namespaces/" + ns_ + "/configmaps?watch=true&timeoutSeconds=120";
    if (!resource_version_.empty()) target += "&resourceVersion=" + resource_version_;
    watch_connection_->watch(target, [&](const std::string& line) {
      on_watch_line(line);
      return !stop_.load();
    });
    if (!stop_) {
      ++rewatches_;
      std::this_thread::sleep_for(100ms);  // a client's back-off before watching again
    }
  }
}

// Polls the surviving members for a new Raft leader and the publisher key for a new holder.
void FailoverRound::probe_etcd() {
  while (!stop_ && (election_ < 0 || takeover_ < 0)) {
    if (election_ < 0) {
      int leader = etcd_leader(etcd_);
      if (leader >= 0 && leader != victim_) mark(election_);
    }
    if (takeover_ < 0) {
      int holder = masters_.publisher();
      if (holder >= 0 && holder != victim_) mark(takeover_);
    }
    std::this_thread::sleep_for(10ms);
  }
}

FailoverTimes FailoverRound::measure() {
  watch_connection_ = std::make_unique<ApiConnection>(api_.port, api_.token, 150s);
  std::thread writer([this] { write_loop(); });
  std::thread watcher([this] { watch_loop(); });
  bool flowing = test::wait_until([&] { return acked_ >= 20 && events_ >= 20; }, 15s, 10ms);
  std::thread prober;
  if (flowing) {
    kill_time_ = Clock::now();
    masters_.kill(victim_);
    killed_ = true;
    prober = std::thread([this] { probe_etcd(); });
    test::wait_until([&] { return all_marked(); }, 30s, 10ms);
  }
  stop_ = true;
  watch_connection_->interrupt();
  writer.join();
  watcher.join();
  if (prober.joinable()) prober.join();
  if (!flowing) throw std::runtime_error("writes or watch events through " + masters_.node_name(survivor_) +
                                         " did not flow before the kill (acknowledged " + std::to_string(acked_) +
                                         ", events " + std::to_string(events_) + ")");
  FailoverTimes t{election_, takeover_, first_write_, first_event_};
  t.rewatches = rewatches_;
  for (const auto& [answer, count] : failures_) {
    t.failed_writes += count;
    t.failures += (t.failures.empty() ? "" : ", ") + answer + " x" + std::to_string(count);
  }
  if (t.failures.empty()) t.failures = "none";
  return t;
}

}  // namespace skiff::bench
