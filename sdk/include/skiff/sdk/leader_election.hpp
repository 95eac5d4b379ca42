// Leader election on a coordination.k8s.io Lease, as client-go does it: replicas race to
// hold the lease (compare-and-swap on its resourceVersion), the holder renews it, and the
// others take over once it has not been renewed for lease_duration — measured on their own
// clock from when they last saw it change, so clocks need not agree.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "skiff/sdk/api_client.hpp"

namespace spdlog {
class logger;
}

namespace skiff::sdk {

struct LeaderElectionOptions {
  std::string namespace_ = "kube-system";
  std::string name;      // the lease, e.g. the component's name
  std::string identity;  // this replica, e.g. "<node>_<pid>"
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};  // a leader that cannot renew for this long steps down
  std::chrono::milliseconds retry_period{2000};
};

class LeaderElector {
 public:
  // on_started_leading / on_stopped_leading run on the elector's thread.
  LeaderElector(const ApiClient& api, LeaderElectionOptions options, std::function<void()> on_started_leading,
                std::function<void()> on_stopped_leading, spdlog::logger* log = nullptr);
  ~LeaderElector();
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  void start();
  // Steps down (releasing the lease so another replica takes over at once) and stops.
  void stop();
  bool is_leader() const { return leader_; }

 private:
  void run();
  bool try_acquire_or_renew();
  void release();

  const ApiClient& api_;
  LeaderElectionOptions options_;
  std::function<void()> on_started_leading_;
  std::function<void()> on_stopped_leading_;
  spdlog::logger* log_;
  std::atomic<bool> leader_{false};
  // What we last saw of the lease, and when (our steady clock).
  std::string observed_holder_;
  std::string observed_renew_time_;
  std::chrono::steady_clock::time_point observed_at_{};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::sdk
