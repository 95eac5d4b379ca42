// A stand-in for kubelets in controller tests and benchmarks: registers Node objects, renews
// their Leases, and "runs" the pods bound to them by writing their status (Running, an IP,
// Ready after `ready_after`). It confirms graceful deletions as a kubelet would. It runs no
// containers; the real kubelet has its own tests.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/status_writer.hpp"
#include "skiff/sdk/informer.hpp"
#include "skiff/sdk/work_queue.hpp"

namespace skiff::test {

struct FakeKubeletOptions {
  std::string cpu = "8";
  std::string memory = "32Gi";
  std::string pods = "110";
  std::chrono::milliseconds heartbeat{200};
  std::chrono::milliseconds ready_after{0};  // from Running to Ready
  bool ready = true;                          // pods become Ready unless told otherwise
  int workers = 8;
};

class FakeKubelet {
 public:
  FakeKubelet(sdk::Bus& bus, const sdk::Subjects& subjects, std::vector<std::string> nodes, FakeKubeletOptions options = {});
  ~FakeKubelet();

  // The node stops renewing its Lease (as if it lost the network) / starts again and says
  // Ready=True.
  void stop_heartbeat(const std::string& node);
  void resume_heartbeat(const std::string& node);
  // Whether this pod reports Ready (default: options.ready).
  void set_ready(const std::string& ns, const std::string& pod, bool ready);
  std::size_t running() const;

 private:
  void register_node(const std::string& name);
  void heartbeat_loop();
  bool sync_pod(const std::string& key);
  bool wants_ready(const api::core::v1::Pod& pod);

  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
  FakeKubeletOptions options_;
  std::set<std::string> nodes_;
  sdk::ApiClient api_;
  sdk::StatusWriter statuses_{api_};  // pods' status coalesced as the kubelet's (api.statusmany)
  sdk::Informer<api::core::v1::Pod> pods_;
  sdk::WorkQueue queue_;
  mutable std::mutex mutex_;
  std::set<std::string> silent_;
  std::map<std::string, bool> ready_override_;
  std::map<std::string, std::string> ips_;  // by pod uid
  std::map<std::string, std::chrono::steady_clock::time_point> started_;  // by pod uid
  int next_ip_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread heartbeat_;
};

}  // namespace skiff::test
