#include "master_service_env.hpp"

#include "skiff/api/core/v1/service.pb.h"

namespace skiff::kubelet {

EnvList master_service_env(const std::string& cluster_ip, int port) {
  std::string p = std::to_string(port);
  std::string address = "tcp://" + cluster_ip + ":" + p;
  std::string prefix = "KUBERNETES_PORT_" + p + "_TCP";
  return {{"KUBERNETES_SERVICE_HOST", cluster_ip},
          {"KUBERNETES_SERVICE_PORT", p},
          {"KUBERNETES_SERVICE_PORT_HTTPS", p},
          {"KUBERNETES_PORT", address},
          {prefix, address},
          {prefix + "_PROTO", "tcp"},
          {prefix + "_PORT", p},
          {prefix + "_ADDR", cluster_ip}};
}

EnvList MasterServiceEnv::get() {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (now < fresh_until_) return env_;
  fresh_until_ = now + kFreshFor;
  try {
    auto service = api_.get<api::core::v1::Service>("default", "kubernetes");
    const auto& spec = service.spec();
    if (spec.cluster_ip().empty() || spec.cluster_ip() == "None" || spec.ports().empty()) return env_ = {};
    int port = spec.ports(0).port();
    for (const auto& p : spec.ports())
      if (p.name() == "https") port = p.port();
    env_ = master_service_env(spec.cluster_ip(), port);
  } catch (const sdk::Error&) {
    // Kept as it was: a container started while the API is away still gets the last known values.
  }
  return env_;
}

}  // namespace skiff::kubelet
