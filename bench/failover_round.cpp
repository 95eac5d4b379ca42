#include "failover_round.hpp"

#include <algorithm>
#include <cstdio>
#include <regex>
#include <stdexcept>
#include <thread>

#include "command.hpp"
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
  std::string created;
  int status =
      ApiConnection(api_.port, api_.token).post("/api/v1/namespaces", R"({"metadata":{"name":")" + ns_ + "\"}}", &created);
  if (status != 201) throw std::runtime_error("creating namespace " + ns_ + " answered " + std::to_string(status));
  // The watch starts from the namespace's creation, so it sees every ConfigMap in it.
  std::smatch m;
  if (std::regex_search(created, m, std::regex(R"re("resourceVersion":"([0-9]+)")re"))) resource_version_ = m[1];
  start_version_ = resource_version_;
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
      w.acked_at[seq] = Clock::now();
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
  {
    std::lock_guard lock(seen_mutex_);
    seen_.emplace(m[1].str() + "-" + m[2].str(), Clock::now());
  }
  long first = (m[1] == "r" ? retrying_ : patient_).first_after_kill;
  if (first >= 0 && std::stol(m[2]) >= first) mark(first_event_);
}

void FailoverRound::watch_loop() {
  while (!watch_stop_) {
    std::string target = "/api/v1/namespaces/" + ns_ + "/configmaps?watch=true&timeoutSeconds=120";
    if (!resource_version_.empty()) target += "&resourceVersion=" + resource_version_;
    watch_connection_->watch(target, [&](const std::string& line) {
      on_watch_line(line);
      return !watch_stop_.load();
    });
    if (!watch_stop_) {
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

// Acknowledged writes whose names do not appear in `watch_output` (a watch's JSON lines).
long FailoverRound::missing_from(const std::string& watch_output) {
  static const std::regex name_pattern(R"re("name":"([rp])-([0-9]+)")re");
  std::set<std::string> names;
  for (std::sregex_iterator it(watch_output.begin(), watch_output.end(), name_pattern), end; it != end; ++it)
    names.insert((*it)[1].str() + "-" + (*it)[2].str());
  std::scoped_lock lock(retrying_.mutex, patient_.mutex);
  long missing = 0;
  for (Writer* w : {&retrying_, &patient_})
    for (const auto& [seq, at] : w->acked_at) missing += !names.count(w->name + "-" + std::to_string(seq));
  return missing;
}

std::vector<std::string> FailoverRound::curl_watch(const std::string& seconds) const {
  return {"curl", "-sN", "-m", seconds, "-H", "Authorization: Bearer " + api_.token,
          api_.base + "/api/v1/namespaces/" + ns_ + "/configmaps?watch=true&resourceVersion=" + start_version_};
}

double FailoverRound::longest_lag() {
  std::scoped_lock lock(seen_mutex_, retrying_.mutex, patient_.mutex);
  double longest = 0;
  for (Writer* w : {&retrying_, &patient_})
    for (const auto& [seq, acked] : w->acked_at) {
      auto seen = seen_.find(w->name + "-" + std::to_string(seq));
      if (seen != seen_.end()) longest = std::max(longest, std::chrono::duration<double>(seen->second - acked).count());
    }
  return longest;
}

long FailoverRound::unseen(std::string* names) {
  std::scoped_lock lock(seen_mutex_, retrying_.mutex, patient_.mutex);
  long missing = 0;
  for (Writer* w : {&retrying_, &patient_})
    for (const auto& [seq, at] : w->acked_at) {
      std::string name = w->name + "-" + std::to_string(seq);
      if (seen_.count(name)) continue;
      if (++missing > 10 || !names) continue;
      char when[48];
      std::snprintf(when, sizeof when, " (acknowledged %+.3f s from the kill)",
                    std::chrono::duration<double>(at - kill_time_).count());
      *names += " " + name + when;
    }
  return missing;
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
  for (auto* t : {&retrying, &patient, &prober})
    if (t->joinable()) t->join();
  // The writers are done: give the watch a moment to deliver what they were told is stored.
  test::wait_until([&] { return unseen() == 0; }, 10s);
  watch_stop_ = true;
  watch_connection_->interrupt();
  watcher.join();
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
  t.longest_lag = longest_lag();
  t.acknowledged = retrying_.acked + patient_.acked;
  std::string missing;
  t.unseen = unseen(&missing);
  if (t.unseen) std::fprintf(stderr, "%s: acknowledged but never watched:%s\n", ns_.c_str(), missing.c_str());
  // Writes missing: does a new watch from the round's start (curl, 3 s) have them? Tells a
  // stuck stream from lost history.
  if (t.unseen) t.rewatch_unseen = missing_from(test::run_command(curl_watch("3"), {}, std::chrono::seconds(10)).out);
  for (const auto& [what, count] : retrying_.failures)
    t.retrying_failures += (t.retrying_failures.empty() ? "" : ", ") + what + " x" + std::to_string(count);
  if (t.retrying_failures.empty()) t.retrying_failures = "none failed";
  t.patient_in_flight = patient_.in_flight.empty() ? "none" : patient_.in_flight;
  return t;
}

}  // namespace skiff::bench
