// The ordered consumer's callback only queues; this thread filters, batches and sends, so a
// slow caller never holds up the bus's delivery thread — it is cut off when the queue is full.
#include "follow_session.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>

#include "response_batches.hpp"

namespace skiff::logging {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kWake = std::chrono::milliseconds(200);  // how soon a stop is noticed
constexpr auto kHeartbeatTimeout = std::chrono::seconds(2);
constexpr int kMissedHeartbeats = 3;  // unanswered (but subscribed) before the caller counts as gone
constexpr std::size_t kMostQueued = 100000;

struct LiveQueue {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<sdk::StoredMessage> messages;
  bool stop_asked = false;
  bool overflowed = false;
};

enum class Heartbeat { Answered, Missed, Gone };

Heartbeat ask_caller(sdk::Bus& bus, const std::string& stream) {
  sdk::Reply reply = bus.request(stream, v1::LogQueryResponse().SerializeAsString(), kHeartbeatTimeout);
  if (reply.ok()) return Heartbeat::Answered;
  return reply.status.code == 503 ? Heartbeat::Gone : Heartbeat::Missed;
}

}  // namespace

std::string FollowSession::run(const std::atomic<bool>& stopping) {
  LiveQueue queue;
  sdk::Subscription stop = bus_.subscribe(target_.caller_stream + ".stop", [&queue](const sdk::Message&) {
    std::lock_guard lock(queue.mutex);
    queue.stop_asked = true;
    queue.ready.notify_one();
  });
  sdk::Subscription live = js_.follow(target_.log_stream, target_.subject_filter,
                                      sdk::ReadFrom::at_sequence(target_.from_sequence),
                                      [&queue](const sdk::StoredMessage& message) {
                                        std::lock_guard lock(queue.mutex);
                                        if (queue.messages.size() >= kMostQueued) {
                                          queue.overflowed = true;
                                        } else {
                                          queue.messages.push_back(message);
                                        }
                                        queue.ready.notify_one();
                                      });
  auto next_heartbeat = Clock::now() + kHeartbeat;
  int missed = 0;
  while (!stopping) {
    std::deque<sdk::StoredMessage> arrived;
    {
      std::unique_lock lock(queue.mutex);
      queue.ready.wait_for(lock, kWake, [&] { return !queue.messages.empty() || queue.stop_asked; });
      if (queue.stop_asked) return "";
      if (queue.overflowed)
        return "the tail fell behind: lines arrived faster than the caller took them; narrow the query";
      arrived.swap(queue.messages);
    }
    std::vector<v1::LogEntry> entries;
    for (const auto& message : arrived) {
      v1::LogEntry entry;
      if (!entry.mutable_line()->ParseFromString(message.data) || !filter_.matches(entry.line())) continue;
      entry.set_sequence(message.sequence);
      entries.push_back(std::move(entry));
    }
    if (!entries.empty())
      for (const auto& batch : in_batches(std::move(entries))) bus_.publish(target_.caller_stream, batch.SerializeAsString());
    if (Clock::now() < next_heartbeat) continue;
    switch (ask_caller(bus_, target_.caller_stream)) {
      case Heartbeat::Answered: missed = 0; break;
      case Heartbeat::Gone: return "";
      case Heartbeat::Missed:
        if (++missed >= kMissedHeartbeats) return "";
        break;
    }
    next_heartbeat = Clock::now() + kHeartbeat;
  }
  return "";
}

}  // namespace skiff::logging
