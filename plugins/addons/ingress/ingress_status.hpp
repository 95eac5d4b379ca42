// status.loadBalancer.ingress of served Ingresses: this node's addresses added (and taken out
// of Ingresses no longer served) through the status subresource, written only on a difference.
// Every node running the addon adds its own, so the list names all of them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/networking/v1/networking.pb.h"
#include "skiff/sdk/api_client.hpp"

namespace spdlog {
class logger;
}

namespace skiff::ingress {

// `status` with `addresses` present (or absent), in the order they were; nullopt when it
// already is so.
std::optional<api::networking::v1::IngressLoadBalancerStatus> status_with(
    const api::networking::v1::IngressLoadBalancerStatus& status, const std::vector<std::string>& addresses, bool present);

// The Node's InternalIP ("" when it has none yet).
std::string node_internal_ip(const api::core::v1::Node& node);

class IngressStatusWriter {
 public:
  // `configured`: specific listen addresses; empty: the Node's InternalIP.
  IngressStatusWriter(const sdk::ApiClient& api, std::string node, std::vector<std::string> configured, spdlog::logger& log);

  // What this node reports; empty while its Node (or its InternalIP) is unknown.
  const std::vector<std::string>& addresses();
  // Writes the Ingress's status when it lacks (or, with present=false, has) this node's
  // addresses, or lists one of `departed` (addresses of Nodes deleted since, which no node
  // will take out itself). Throws sdk::Error on API failure (409 when another node wrote first).
  void reconcile(const api::networking::v1::Ingress& ingress, bool present,
                 const std::vector<std::string>& departed = {});

 private:
  const sdk::ApiClient& api_;
  std::string node_;
  std::vector<std::string> addresses_;
  spdlog::logger& log_;
};

}  // namespace skiff::ingress
