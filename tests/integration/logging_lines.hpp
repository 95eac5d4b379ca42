// For the logging tests: LogLines published to the log stream as a node's shipper would, and
// the receiving end of a query's history or follow stream (heartbeats answered).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "skiff/logging/v1/logging.pb.h"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/jetstream.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::test {

struct PodOfLines {
  std::string ns, pod, uid, node;
  std::map<std::string, std::string> labels;
};

// Publishes one line of `pod`'s `container` written at `time` (unix ns); returns its sequence.
inline std::uint64_t ship(sdk::JetStream& js, const sdk::Subjects& subjects, const PodOfLines& pod,
                          const std::string& container, const std::string& text, std::int64_t time,
                          const std::string& stream = "stdout") {
  logging::v1::LogLine l;
  l.set_cluster("test");
  l.set_node(pod.node);
  l.set_namespace_(pod.ns);
  l.set_pod(pod.pod);
  l.set_pod_uid(pod.uid);
  l.set_container(container);
  l.set_stream(stream);
  l.set_time_unix_nano(time);
  l.set_line(text);
  for (const auto& [k, v] : pod.labels) (*l.mutable_pod_labels())[k] = v;
  return js.publish(subjects.log_lines(pod.ns, pod.pod, pod.uid, container), l.SerializeAsString()).sequence;
}

inline std::int64_t unix_nano_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A query's stream subject, subscribed at once; answers the addon's heartbeat requests until
// it is told to go quiet (as a caller that hangs would).
class QueryStream {
 public:
  QueryStream(sdk::Bus& bus, const sdk::Subjects& subjects, const std::string& id)
      : bus_(bus), subject_(subjects.stream(id)), state_(std::make_shared<State>()) {
    subscription_ = bus_.subscribe(subject_, [&bus = bus_, state = state_](const sdk::Message& m) {
      if (!m.reply.empty()) bus.publish(m.reply, "");
      logging::v1::LogQueryResponse batch;
      if (!batch.ParseFromString(m.data)) return;
      std::lock_guard lock(state->mutex);
      if (!m.reply.empty()) {
        ++state->heartbeats;
        return;
      }
      state->batches.push_back(std::move(batch));
      state->ready.notify_all();
    });
  }
  const std::string& subject() const { return subject_; }
  void leave() { subscription_.cancel(); }
  void stop() { bus_.publish(subject_ + ".stop", ""); }
  std::optional<logging::v1::LogQueryResponse> next(std::chrono::milliseconds wait) {
    std::unique_lock lock(state_->mutex);
    if (!state_->ready.wait_for(lock, wait, [&] { return !state_->batches.empty(); })) return std::nullopt;
    auto b = std::move(state_->batches.front());
    state_->batches.pop_front();
    return b;
  }
  // Lines until a batch with done (or `count` lines, or the wait runs out).
  std::vector<std::string> lines(std::size_t count, std::chrono::milliseconds wait, bool* done = nullptr) {
    std::vector<std::string> out;
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
      auto b = next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!b) break;
      for (const auto& e : b->entries()) out.push_back(e.line().line());
      if (b->done()) {
        if (done) *done = true;
        break;
      }
    }
    return out;
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<logging::v1::LogQueryResponse> batches;
    int heartbeats = 0;
  };
  sdk::Bus& bus_;
  std::string subject_;
  std::shared_ptr<State> state_;
  sdk::Subscription subscription_;
};

}  // namespace skiff::test
