// Conditions as discovery/v1 defines them: ready unset means ready, serving unset follows
// ready, terminating unset is false; an unset port name is "" and protocol TCP.
#include "slice_view.hpp"

namespace skiff::proxy {

SliceView slice_view(const api::discovery::v1::EndpointSlice& slice) {
  SliceView view;
  view.address_type = slice.address_type();
  for (const auto& port : slice.ports())
    view.ports.push_back({port.name(), port.has_protocol() ? port.protocol() : "TCP", port.has_port() ? port.port() : 0});
  for (const auto& endpoint : slice.endpoints()) {
    if (endpoint.addresses().empty()) continue;
    const auto& conditions = endpoint.conditions();
    SliceEndpoint e;
    e.ip = endpoint.addresses(0);
    e.ready = !conditions.has_ready() || conditions.ready();
    e.serving = conditions.has_serving() ? conditions.serving() : e.ready;
    e.terminating = conditions.has_terminating() && conditions.terminating();
    e.node = endpoint.node_name();
    view.endpoints.push_back(std::move(e));
  }
  return view;
}

}  // namespace skiff::proxy
