// Replicas `auto` is found by asking: JetStream refuses more replicas than it has servers (400
// on a single server, 507 in a smaller cluster), so 3, then 2, then 1.
#include "log_stream_owner.hpp"

#include "skiff/sdk/status.hpp"

namespace skiff::logging {
namespace {

constexpr int kAutoReplicasAtMost = 3;
constexpr std::chrono::seconds kCheckEvery{10};

}  // namespace

sdk::StreamSettings stream_settings(const sdk::Subjects& subjects, const Settings& settings, int replicas) {
  sdk::StreamSettings s;
  s.name = subjects.log_stream();
  s.subjects = {subjects.prefix() + ".logs.>"};
  s.max_age = std::chrono::duration_cast<std::chrono::seconds>(settings.max_age);
  s.max_bytes = settings.max_bytes;
  s.replicas = replicas;
  s.duplicate_window = settings.duplicate_window;
  return s;
}

LogStreamOwner::LogStreamOwner(sdk::JetStream& js, const sdk::Subjects& subjects, const Settings& settings,
                               spdlog::logger& log)
    : js_(js), subjects_(subjects), settings_(settings), log_(log) {}

sdk::StreamState LogStreamOwner::ensure() {
  std::lock_guard lock(mutex_);
  if (settings_.replicas > 0) {
    last_ = js_.ensure_stream(stream_settings(subjects_, settings_, settings_.replicas));
  } else {
    for (int replicas = kAutoReplicasAtMost;; --replicas) {
      try {
        last_ = js_.ensure_stream(stream_settings(subjects_, settings_, replicas));
        break;
      } catch (const sdk::Error& e) {
        bool too_many = e.status().code == 400 || e.status().code == 507;
        if (replicas == 1 || !too_many) throw;
        log_.debug("log stream with {} replicas refused ({}); trying fewer", replicas, e.status().message);
      }
    }
  }
  checked_ = std::chrono::steady_clock::now();
  return last_;
}

sdk::StreamState LogStreamOwner::check() {
  {
    std::lock_guard lock(mutex_);
    if (std::chrono::steady_clock::now() - checked_ < kCheckEvery) return last_;
    if (auto state = js_.stream_state(subjects_.log_stream())) {
      last_ = *state;
      checked_ = std::chrono::steady_clock::now();
      return last_;
    }
  }
  log_.warn("the log stream {} went missing; creating it again", subjects_.log_stream());
  return ensure();
}

}  // namespace skiff::logging
