// The kubelet's Node: registered with the machine's capacity and the profile's labels,
// kept alive by renewing its Lease in kube-node-lease, its status (Ready from the runtime's
// health, addresses, node info) refreshed periodically and whenever readiness changes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "machine.hpp"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/runtime/runtime_client.hpp"

namespace spdlog {
class logger;
}

namespace skiff::kubelet {

struct NodeOptions {
  std::string name;
  std::map<std::string, std::string> labels;
  int max_pods = 110;
  std::string cpu;     // "" : the machine's
  std::string memory;  // "" : the machine's
  std::chrono::milliseconds lease_interval{10000};
  std::chrono::milliseconds status_interval{60000};
  std::string kubelet_version = "v1.33.0";
  // Taints the node is created with ("key=value:Effect" parsed), as kubelet's
  // --register-with-taints: only at registration, never re-applied.
  std::vector<api::core::v1::Taint> register_with_taints;
  // Where the kubelet's HTTPS endpoint listens (status.daemonEndpoints.kubeletEndpoint.Port).
  int kubelet_port = 10250;
  // Whether a service proxy runs here (nodeInfo.kubeProxyVersion only then); unset: never.
  std::function<bool()> proxy_running;
};

// "key[=value]:Effect" as kubectl taint and kubelet --register-with-taints write it; throws
// sdk::Error(422) naming the form when it is not one.
api::core::v1::Taint parse_taint(const std::string& text);

class NodeRegistration {
 public:
  NodeRegistration(const sdk::ApiClient& api, const sdk::RuntimeClient& runtime, NodeOptions options, Machine machine,
                   spdlog::logger& log);
  ~NodeRegistration();

  // Creates the Node or brings an existing one up to date; throws if the API refuses.
  void register_node();
  void start();
  void stop();
  const std::string& host_ip() const { return host_ip_; }
  // What the node offers pods ("cpu", "memory", "pods"): its capacity, nothing is reserved.
  std::map<std::string, std::string> allocatable() const;
  const std::string& name() const { return options_.name; }

 private:
  api::core::v1::Node desired() const;
  void renew_lease();
  void update_status();
  void pass_pod_cidr(const api::core::v1::Node& node);
  void loop();
  bool proxy_changed();

  const sdk::ApiClient& api_;
  const sdk::RuntimeClient& runtime_;
  NodeOptions options_;
  Machine machine_;
  spdlog::logger& log_;
  std::string host_ip_;
  std::string runtime_version_;
  std::string pod_cidr_;  // the pod subnet the runtime was told; "" until IPAM gives one
  bool runtime_ready_ = true;
  bool proxy_running_ = false;
  std::string runtime_message_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::kubelet
