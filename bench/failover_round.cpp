#include "failover_round.hpp"

#include <cstdio>
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

std::string answer(int status) { return status == 0 ? "timeout" : std::to_string(status); }

}  // namespace

FailoverRound::FailoverRound(HaMasters& masters, test::EtcdCluster& etcd, int victim, int survivor, int round)
    : masters_(masters), etcd_(etcd), victim_(victim), survivor_(survivor), ns_("failover-" + std::to_string(round)),
      api_(masters.api(survivor)) {
  int status = ApiConnection(api_.port, api_.token).post("/api/v1/namespaces", R"({"metadata":{"name":")" + ns_ + "\"}}");
  if (status != 201) throw std::runtime_error("creating namespace " + ns_ + " answered " + std::to_string(status));
}

double FailoverRound::since_kill() const { return std::chrono::duration<double>(Clock::now() - kill_time_).count(); }

void FailoverRound::mark(std::atomic<double>& slot) const {
  double unset = -1;
  slot.compare_exchange_strong(unset, since_kill());
}

bool FailoverRound::all_marked() const {
  return election_ >= 0 && takeover_ >= 0 && first_event_ >= 0 && retrying_.first_write >= 0 && patient_.first_write >= 0;
}

void FailoverRound::write_loop(Writer& w) {
  ApiConnection connection(api_.port, api_.token, w.timeout);
  const std::string target = "/api/v1/namespaces/" + ns_ + "/configmaps";
  for (long seq = 0; !stop_; ++seq) {
    bool after = killed_;
    if (after && w.first_after_kill < 0) w.first_after_kill = seq;
    int status = connection.post(target, configmap(w.name + "-" + std::to_string(seq)));
    std::lock_guard lock(w.mutex);
    if (!after && killed_ && w.in_flight.empty()) {
      char text[64];
      std::snprintf(text, sizeof text, "%s at %.2f s", answer(status).c_str(), since_kill());
      w.in_flight = text;
    }
    if (status == 201) {
      ++w.acked;
      if (after) mark(w.first_write);
    } else if (after && w.first_write < 0) {
      ++w.failures[answer(status)];
    }
  }
}

void FailoverRound::on_watch_line(const std::string& line) {
  static const std::regex name_pattern(R"re("name":"([rp])-([0-9]+)")re");
  static const std::regex version_pattern(R"re("resourceVersion":"([0-9]+)")re");
  std::smatch m;
  if (line.find("\"type\":\"ERROR\"") != std::string::npos) {
    resource_version_.clear();  // 410 Gone: start again from now
    return;
  }
  if (std::regex_search(line, m, version_pattern)) resource_version_ = m[1];
  if (!std::regex_search(line, m, name_pattern)) return;
  ++events_;
  long first = (m[1] == "r" ? retrying_ : patient_).first_after_kill;
  if (first >= 0 && std::stol(m[2]) >= first) mark(first_event_);
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
  std::thread retrying([this] { write_loop(retrying_); });
  std::thread patient([this] { write_loop(patient_); });
  std::thread watcher([this] { watch_loop(); });
  bool flowing = test::wait_until([&] { return retrying_.acked >= 10 && patient_.acked >= 10 && events_ >= 20; }, 15s);
  std::thread prober;
  if (flowing) {
    kill_time_ = Clock::now();
    masters_.kill(victim_);
    killed_ = true;
    prober = std::thread([this] { probe_etcd(); });
    test::wait_until([&] { return all_marked(); }, 30s);
  }
  stop_ = true;
  watch_connection_->interrupt();
  for (auto* t : {&retrying, &patient, &watcher, &prober})
    if (t->joinable()) t->join();
  if (!flowing)
    throw std::runtime_error("writes or watch events through " + masters_.node_name(survivor_) +
                             " did not flow before the kill (acknowledged " + std::to_string(retrying_.acked) + " + " +
                             std::to_string(patient_.acked) + ", events " + std::to_string(events_) + ")");
  FailoverTimes t;
  t.election = election_;
  t.takeover = takeover_;
  t.first_event = first_event_;
  t.retrying_write = retrying_.first_write;
  t.patient_write = patient_.first_write;
  t.rewatches = rewatches_;
  for (const auto& [what, count] : retrying_.failures)
    t.retrying_failures += (t.retrying_failures.empty() ? "" : ", ") + what + " x" + std::to_string(count);
  if (t.retrying_failures.empty()) t.retrying_failures = "none failed";
  t.patient_in_flight = patient_.in_flight.empty() ? "none" : patient_.in_flight;
  return t;
}

}  // namespace skiff::bench
