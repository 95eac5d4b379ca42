// How an endpoint is written in logs and error bodies.
#include "ingress_values.hpp"

namespace skiff::ingress {

std::string to_string(const Endpoint& endpoint) {
  bool ipv6 = endpoint.address.find(':') != std::string::npos;
  std::string host = ipv6 ? "[" + endpoint.address + "]" : endpoint.address;
  return host + ":" + std::to_string(endpoint.port);
}

}  // namespace skiff::ingress
