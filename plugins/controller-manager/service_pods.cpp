// Service selection and target-port resolution, shared by the endpoint controllers.
#include "service_pods.hpp"

#include "skiff/sdk/selector.hpp"

namespace skiff::controllers {

bool selects(const api::core::v1::Service& service, const api::core::v1::Pod& pod) {
  if (service.spec().selector().empty() || pod.metadata().namespace_() != service.metadata().namespace_()) return false;
  return sdk::LabelSelector::from_map(service.spec().selector()).matches(pod.metadata().labels());
}

int find_port(const api::core::v1::ServicePort& port, const api::core::v1::Pod& pod) {
  const auto& target = port.target_port();
  if (target.type() == 0) return target.int_val() != 0 ? target.int_val() : port.port();
  auto protocol_of = [](const std::string& p) { return p.empty() ? std::string("TCP") : p; };
  for (const auto& c : pod.spec().containers())
    for (const auto& p : c.ports())
      if (p.name() == target.str_val() && protocol_of(p.protocol()) == protocol_of(port.protocol())) return p.container_port();
  return 0;
}

}  // namespace skiff::controllers
