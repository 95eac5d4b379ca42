// Keeps the `kubernetes` Service: a pass at start, after every change the store reports to
// one of its three objects (a delete or an edit is put back at once), and every 10 s (what a
// lost watch message missed), on a thread of its own. With the apiservers' leases it also
// renews this apiserver's every 5 s, lists every live apiserver in the endpoints (woken when
// another one's lease changes), and removes this one from them when it stops.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "apiserver_leases.hpp"
#include "kubernetes_service.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::apiserver {

class KubernetesServiceLoop {
 public:
  // Kubernetes' endpoint reconciler interval.
  static constexpr std::chrono::seconds kInterval{10};
  // A third of the lease's 15 s: two renewals may fail before the others drop this apiserver.
  static constexpr std::chrono::seconds kRenewInterval{5};

  // `leases` may be null: then the endpoints list only this apiserver, as with one master.
  KubernetesServiceLoop(sdk::Bus& bus, const sdk::Subjects& subjects, KubernetesService& service, spdlog::logger& log,
                        ApiserverLeases* leases = nullptr);
  ~KubernetesServiceLoop();  // stops

  void start();
  void stop();

 private:
  void run();
  void wake();
  void pass();
  // The others' endpoints without this apiserver (the last one leaves them as they are).
  void leave();

  sdk::Bus& bus_;
  sdk::Subjects subjects_;
  KubernetesService& service_;
  spdlog::logger& log_;
  ApiserverLeases* leases_;
  std::chrono::steady_clock::time_point renewed_{};
  std::vector<sdk::Subscription> watches_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = true;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::apiserver
