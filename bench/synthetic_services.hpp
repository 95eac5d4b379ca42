// A synthetic cluster for the rule-sync benchmark: N Services of one TCP port with two
// endpoints each (ClusterIPs in 10.96.0.0/12, endpoints in 10.244.0.0/16), endpoint changes
// that replace one endpoint of one Service, and the same state as Skiff's ProxyState.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "proxy_state.hpp"

namespace skiff::bench {

inline constexpr std::uint16_t kServicePort = 80;
inline constexpr std::uint16_t kTargetPort = 8080;

struct SyntheticService {
  std::string name;  // "svc-00042" in namespace "bench", port "http"
  std::uint32_t cluster_ip = 0;
  std::array<std::uint32_t, 2> endpoints{};
};

class SyntheticCluster {
 public:
  explicit SyntheticCluster(std::size_t services);

  const std::vector<SyntheticService>& services() const { return services_; }
  // The Service the `change`-th endpoint change touches (spread over the whole list).
  std::size_t service_for_change(std::size_t change) const;
  // Replaces one of the Service's endpoints with an address not used before; returns the old one.
  std::uint32_t replace_endpoint(std::size_t service);

  proxy::ProxyState proxy_state() const;
  // Writes one Service's current endpoints into a state made by proxy_state().
  void update(proxy::ProxyState& state, std::size_t service) const;
  static std::string proxy_key(const SyntheticService& service);

 private:
  std::vector<SyntheticService> services_;
  std::uint32_t next_endpoint_;
  std::size_t next_slot_ = 0;  // which of the two endpoints the next change replaces
};

}  // namespace skiff::bench
