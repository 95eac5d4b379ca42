// The environment every container gets for the `kubernetes` Service (default/kubernetes), as
// Kubernetes' kubelet adds it whatever enableServiceLinks says: KUBERNETES_SERVICE_HOST,
// KUBERNETES_SERVICE_PORT(_HTTPS) and the Docker-links KUBERNETES_PORT* variables. In-cluster
// clients (client-go's rest.InClusterConfig, the Python client) find the API by them.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "skiff/sdk/api_client.hpp"

namespace skiff::kubelet {

using EnvList = std::vector<std::pair<std::string, std::string>>;

// The variables for a Service's cluster IP and its port named https (or first port).
EnvList master_service_env(const std::string& cluster_ip, int port);

class MasterServiceEnv {
 public:
  static constexpr std::chrono::seconds kFreshFor{30};
  explicit MasterServiceEnv(const sdk::ApiClient& api) : api_(api) {}
  // Read from the API at most every 30 s; empty while the Service is missing or unreachable.
  EnvList get();

 private:
  const sdk::ApiClient& api_;
  std::mutex mutex_;
  EnvList env_;
  std::chrono::steady_clock::time_point fresh_until_{};
};

}  // namespace skiff::kubelet
