#include "skiff/sdk/leader_election.hpp"

#include <spdlog/logger.h>

#include "skiff/api/coordination/v1/lease.pb.h"
#include "skiff/sdk/time.hpp"

namespace skiff::sdk {

namespace coordination = api::coordination::v1;
using Clock = std::chrono::steady_clock;

LeaderElector::LeaderElector(const ApiClient& api, LeaderElectionOptions options, std::function<void()> on_started_leading,
                             std::function<void()> on_stopped_leading, spdlog::logger* log)
    : api_(api),
      options_(std::move(options)),
      on_started_leading_(std::move(on_started_leading)),
      on_stopped_leading_(std::move(on_stopped_leading)),
      log_(log) {}

LeaderElector::~LeaderElector() { stop(); }

void LeaderElector::start() { thread_ = std::thread([this] { run(); }); }

void LeaderElector::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LeaderElector::run() {
  auto last_renewed = Clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    bool held = false;
    try {
      held = try_acquire_or_renew();
    } catch (const std::exception& e) {
      if (log_) log_->warn("lease {}/{}: {}", options_.namespace_, options_.name, e.what());
    }
    auto now = Clock::now();
    if (held) {
      last_renewed = now;
      if (!leader_.exchange(true)) {
        if (log_) log_->info("became the leader (lease {}/{}, identity {})", options_.namespace_, options_.name, options_.identity);
        if (on_started_leading_) on_started_leading_();
      }
    } else if (leader_ && now - last_renewed > options_.renew_deadline) {
      leader_ = false;
      if (log_) log_->warn("lost the lease {}/{}: not renewed within {} ms", options_.namespace_, options_.name,
                           options_.renew_deadline.count());
      if (on_stopped_leading_) on_stopped_leading_();
    }
    lock.lock();
    wake_.wait_for(lock, options_.retry_period, [&] { return stopping_; });
  }
  lock.unlock();
  if (leader_.exchange(false)) {
    if (on_stopped_leading_) on_stopped_leading_();
    try {
      release();
    } catch (const std::exception& e) {
      if (log_) log_->warn("releasing the lease {}/{}: {}", options_.namespace_, options_.name, e.what());
    }
  }
}

bool LeaderElector::try_acquire_or_renew() {
  auto now_text = format_rfc3339_micro(WallClock::now());
  int duration_seconds = static_cast<int>(std::max<std::int64_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(options_.lease_duration + std::chrono::milliseconds(999)).count()));
  coordination::Lease lease;
  try {
    lease = api_.get<coordination::Lease>(options_.namespace_, options_.name);
  } catch (const Error& e) {
    if (e.status().code != 404) throw;
    coordination::Lease fresh;
    fresh.mutable_metadata()->set_name(options_.name);
    fresh.mutable_metadata()->set_namespace_(options_.namespace_);
    auto* spec = fresh.mutable_spec();
    spec->set_holder_identity(options_.identity);
    spec->set_lease_duration_seconds(duration_seconds);
    spec->set_acquire_time(now_text);
    spec->set_renew_time(now_text);
    spec->set_lease_transitions(0);
    try {
      api_.create(fresh);
    } catch (const Error& conflict) {
      if (conflict.status().code == 409) return false;  // another replica created it first
      throw;
    }
    observed_holder_ = options_.identity;
    observed_renew_time_ = now_text;
    observed_at_ = Clock::now();
    return true;
  }

  const auto& spec = lease.spec();
  if (spec.holder_identity() != observed_holder_ || spec.renew_time() != observed_renew_time_) {
    observed_holder_ = spec.holder_identity();
    observed_renew_time_ = spec.renew_time();
    observed_at_ = Clock::now();
  }
  bool mine = spec.holder_identity() == options_.identity;
  auto held_for = std::chrono::seconds(spec.has_lease_duration_seconds() ? spec.lease_duration_seconds() : duration_seconds);
  bool expired = spec.holder_identity().empty() || Clock::now() - observed_at_ > held_for;
  if (!mine && !expired) return false;

  auto* next = lease.mutable_spec();
  if (!mine) {
    next->set_acquire_time(now_text);
    next->set_lease_transitions(spec.lease_transitions() + 1);
  }
  next->set_holder_identity(options_.identity);
  next->set_lease_duration_seconds(duration_seconds);
  next->set_renew_time(now_text);
  try {
    api_.update(lease);  // carries the resourceVersion we read: 409 if someone wrote meanwhile
  } catch (const Error& e) {
    if (e.status().code == 409) return false;
    throw;
  }
  observed_holder_ = options_.identity;
  observed_renew_time_ = now_text;
  observed_at_ = Clock::now();
  return true;
}

void LeaderElector::release() {
  auto lease = api_.get<coordination::Lease>(options_.namespace_, options_.name);
  if (lease.spec().holder_identity() != options_.identity) return;
  lease.mutable_spec()->set_holder_identity("");
  lease.mutable_spec()->set_lease_duration_seconds(1);
  api_.update(lease);
}

}  // namespace skiff::sdk
