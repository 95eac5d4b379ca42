// The health-check NodePorts of `externalTrafficPolicy: Local` LoadBalancer Services, as
// kube-proxy answers them: 200 while this node has a local endpoint, 503 when it has none, so
// a load balancer sends traffic only to nodes that can serve it without another hop.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace skiff::proxy {

struct HealthTarget {
  std::string namespace_;
  std::string name;
  std::size_t local_endpoints = 0;
  friend bool operator==(const HealthTarget&, const HealthTarget&) = default;
};

class HealthCheckServer {
 public:
  explicit HealthCheckServer(spdlog::logger& log);
  ~HealthCheckServer();
  HealthCheckServer(const HealthCheckServer&) = delete;
  HealthCheckServer& operator=(const HealthCheckServer&) = delete;

  // Listens on exactly these ports (on every address), answering for their Services.
  void update(const std::map<std::uint16_t, HealthTarget>& targets);
  std::size_t listening() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The answer for one Service: status code and JSON body.
std::pair<int, std::string> health_answer(const HealthTarget& target);

}  // namespace skiff::proxy
