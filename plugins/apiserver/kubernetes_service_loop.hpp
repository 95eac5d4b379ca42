// Keeps the `kubernetes` Service: a pass at start, after every change the store reports to
// one of its three objects (a delete or an edit is put back at once), and every 10 s (what a
// lost watch message missed), on a thread of its own.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "kubernetes_service.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::apiserver {

class KubernetesServiceLoop {
 public:
  // Kubernetes' endpoint reconciler interval.
  static constexpr std::chrono::seconds kInterval{10};

  KubernetesServiceLoop(sdk::Bus& bus, const sdk::Subjects& subjects, KubernetesService& service, spdlog::logger& log);
  ~KubernetesServiceLoop();  // stops

  void start();
  void stop();

 private:
  void run();
  void wake();

  sdk::Bus& bus_;
  sdk::Subjects subjects_;
  KubernetesService& service_;
  spdlog::logger& log_;
  std::vector<sdk::Subscription> watches_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = true;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::apiserver
