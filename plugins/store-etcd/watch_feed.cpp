#include "watch_feed.hpp"

#include <spdlog/spdlog.h>

#include "watch_events.hpp"

namespace skiff::store_etcd {

using namespace std::chrono_literals;

WatchFeed::WatchFeed(EtcdClient& client, const KeyLayout& layout, std::int64_t after_revision, Handlers handlers,
                     spdlog::logger& log)
    : client_(client), layout_(layout), handlers_(std::move(handlers)), log_(log), applied_(after_revision) {
  thread_ = std::thread([this] { run(); });
}

WatchFeed::~WatchFeed() { stop(); }

void WatchFeed::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (stream_context_) stream_context_->TryCancel();
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::int64_t WatchFeed::applied() const {
  std::lock_guard lock(mutex_);
  return applied_;
}

bool WatchFeed::wait_applied(std::int64_t revision, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return applied_ >= revision || stopping_; }) && applied_ >= revision;
}

void WatchFeed::run() {
  auto backoff = 100ms;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (stopping_) return;
    }
    auto before = applied();
    watch_once();
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    // A stream that delivered something was healthy: reconnect at once; otherwise back off.
    backoff = applied_ > before ? 100ms : std::min<std::chrono::milliseconds>(backoff * 2, 2s);
    changed_.wait_for(lock, backoff, [&] { return stopping_; });
  }
}

void WatchFeed::watch_once() {
  std::unique_ptr<grpc::ClientContext> context = client_.stream_context();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stream_context_ = context.get();
  }
  auto stream = client_.watch_stub().Watch(context.get());
  etcdserverpb::WatchRequest request;
  auto* create = request.mutable_create_request();
  create->set_key(layout_.objects());
  create->set_range_end(prefix_end(layout_.objects()));
  create->set_start_revision(applied() + 1);
  create->set_prev_kv(true);
  // Progress notifications move the resume point while nothing changes, so a watch broken
  // after a long quiet spell resumes from a recent revision, not one etcd may have compacted.
  create->set_progress_notify(true);
  if (stream->Write(request)) {
    etcdserverpb::WatchResponse response;
    while (stream->Read(&response)) {
      if (response.canceled()) {
        if (response.compact_revision() > 0) {
          log_.warn("etcd compacted revision {} before the watch read it; continuing from the current state",
                    applied() + 1);
          std::int64_t resume = handlers_.on_compacted(response.compact_revision());
          std::lock_guard lock(mutex_);
          applied_ = resume;
        } else {
          log_.warn("etcd cancelled the watch: {}", response.cancel_reason());
        }
        context->TryCancel();
        break;
      }
      handle(response);
    }
  }
  stream->WritesDone();
  grpc::Status status = stream->Finish();
  std::lock_guard lock(mutex_);
  stream_context_ = nullptr;
  if (!stopping_ && !status.ok() && status.error_code() != grpc::StatusCode::CANCELLED)
    log_.warn("the etcd watch broke ({}); resuming after revision {}", status.error_message(), applied_);
}

void WatchFeed::handle(const etcdserverpb::WatchResponse& response) {
  if (response.events().empty()) {
    // A progress notification: every change up to its header's revision has been delivered.
    if (!response.created() && response.header().revision() > 0) {
      std::lock_guard lock(mutex_);
      applied_ = std::max(applied_, response.header().revision());
    }
    changed_.notify_all();
    return;
  }
  std::int64_t last = response.events(response.events_size() - 1).kv().mod_revision();
  handlers_.on_changes(changes_of(layout_, response));
  {
    std::lock_guard lock(mutex_);
    applied_ = std::max(applied_, last);
  }
  changed_.notify_all();
}

}  // namespace skiff::store_etcd
