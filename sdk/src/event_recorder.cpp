#include "skiff/sdk/event_recorder.hpp"

#include <spdlog/logger.h>

#include <cstdio>

#include "skiff/api/core/v1/core.pb.h"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/resources.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::sdk {

namespace core = api::core::v1;

namespace {
constexpr std::size_t kRemembered = 4096;  // same-event aggregation window
constexpr std::size_t kBatch = 64;         // events per createmany call
}

struct EventRecorder::Pending {
  core::ObjectReference involved;
  std::string type, reason, message;
  WallClock::time_point at;
  std::string key() const { return involved.uid() + "\n" + type + "\n" + reason + "\n" + message; }
};

EventRecorder::EventRecorder(const ApiClient& api, EventRecorderOptions options, spdlog::logger* log)
    : api_(api), options_(std::move(options)), log_(log) {
  for (int i = 0; i < std::max(1, options_.workers); ++i) threads_.emplace_back([this] { work(); });
}

EventRecorder::~EventRecorder() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void EventRecorder::record(const google::protobuf::Message& object, const std::string& type, const std::string& reason,
                           const std::string& message) {
  Pending pending;
  const auto& meta = meta_of(object);
  const ResourceType* resource = find_resource_by_descriptor(object.GetDescriptor());
  if (resource) {
    pending.involved.set_kind(resource->kind);
    pending.involved.set_api_version(resource->api_version());
  }
  pending.involved.set_namespace_(meta.namespace_());
  pending.involved.set_name(meta.name());
  pending.involved.set_uid(meta.uid());
  pending.involved.set_resource_version(meta.resource_version());
  pending.type = type;
  pending.reason = reason;
  pending.message = message;
  pending.at = WallClock::now();
  {
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    if (buckets_.size() >= kRemembered) buckets_.clear();
    auto [bucket, fresh] = buckets_.try_emplace(pending.involved.uid(), Bucket{static_cast<double>(options_.burst), now});
    if (!fresh && options_.refill.count() > 0) {
      bucket->second.tokens = std::min<double>(options_.burst, bucket->second.tokens + (now - bucket->second.at) /
                                                                                            options_.refill);
      bucket->second.at = now;
    }
    if (bucket->second.tokens < 1) {
      ++dropped_;
      return;
    }
    bucket->second.tokens -= 1;
    if (queue_.size() >= options_.max_pending) {
      ++dropped_;
      return;
    }
    queue_.push_back(std::move(pending));
  }
  wake_.notify_one();
}

void EventRecorder::flush() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return queue_.empty() && busy_ == 0; });
}

void EventRecorder::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to write
    // What is queued for one namespace goes in one batch: a busy node says "Created" and
    // "Started" for many pods at once, and one createmany call is far cheaper than many.
    std::vector<Pending> batch;
    std::string ns = queue_.front().involved.namespace_();
    while (!queue_.empty() && batch.size() < kBatch && queue_.front().involved.namespace_() == ns) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    ++busy_;
    lock.unlock();
    try {
      write(batch);
    } catch (const std::exception& e) {
      if (log_) log_->warn("{} events for {} not written: {}", batch.size(), ns.empty() ? "default" : ns, e.what());
    }
    lock.lock();
    --busy_;
    if (queue_.empty() && busy_ == 0) idle_.notify_all();
  }
}

void EventRecorder::write(const std::vector<Pending>& batch) {
  std::string ns = batch.front().involved.namespace_().empty() ? "default" : batch.front().involved.namespace_();
  std::vector<core::Event> fresh;
  std::vector<std::string> fresh_keys;
  for (const auto& pending : batch) {
    std::string when = format_rfc3339(pending.at);
    std::string key = pending.key();
    Written repeat;
    {
      std::lock_guard lock(mutex_);
      if (auto it = written_.find(key); it != written_.end()) {
        it->second.count += 1;
        repeat = it->second;
      }
    }
    if (!repeat.name.empty()) {
      std::string patch = "{\"count\":" + std::to_string(repeat.count) + ",\"lastTimestamp\":\"" + when + "\"}";
      try {
        api_.patch<core::Event>(ns, repeat.name, "merge", patch);
        continue;
      } catch (const Error& e) {
        if (e.status().code != 404) throw;  // it expired: write a new one
      }
    }
    core::Event event;
    char suffix[24];
    std::snprintf(suffix, sizeof suffix, ".%llx",
                  static_cast<unsigned long long>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                      pending.at.time_since_epoch()).count()));
    event.mutable_metadata()->set_name(pending.involved.name() + suffix);
    event.mutable_metadata()->set_namespace_(ns);
    *event.mutable_involved_object() = pending.involved;
    event.set_reason(pending.reason);
    event.set_message(pending.message);
    event.set_type(pending.type);
    event.mutable_source()->set_component(options_.component);
    event.mutable_source()->set_host(options_.host);
    event.set_first_timestamp(when);
    event.set_last_timestamp(when);
    event.set_count(1);
    event.set_reporting_component(options_.component);
    event.set_reporting_instance(options_.host);
    fresh.push_back(std::move(event));
    fresh_keys.push_back(std::move(key));
  }
  if (fresh.empty()) return;
  std::vector<Status> results;
  if (fresh.size() == 1) {
    api_.create(fresh.front());
    results.push_back(Status::Ok());
  } else {
    for (auto& [status, created] : api_.create_many(ns, fresh)) results.push_back(status);
  }
  std::lock_guard lock(mutex_);
  if (written_.size() >= kRemembered) written_.clear();
  for (std::size_t i = 0; i < fresh.size() && i < results.size(); ++i) {
    if (!results[i].ok()) {
      if (log_) log_->warn("event {} for {}/{} not written: {}", fresh[i].reason(), ns, fresh[i].involved_object().name(),
                           results[i].message);
      continue;
    }
    written_[fresh_keys[i]] = {fresh[i].metadata().name(), 1};
  }
}

}  // namespace skiff::sdk
