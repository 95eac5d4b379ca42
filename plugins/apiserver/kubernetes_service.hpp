// The API's own Service, `kubernetes` in `default`, as Kubernetes' apiserver keeps it: the
// service CIDR's first address, port `https` 443 to the apiserver's port; its Endpoints and
// its EndpointSlice list the apiserver's advertised address — or, with several apiservers, every
// live one's (apiserver_leases.hpp). Each pass creates what is missing and puts back what was
// changed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "api_core.hpp"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"

namespace skiff::apiserver {

struct KubernetesServiceOptions {
  std::string cluster_ip;  // the service CIDR's first address
  std::string address;     // the apiserver's advertised address
  int port = 6443;         // where the apiserver serves (every apiserver of a cluster the same)
  // The live apiservers' addresses (sorted); empty: only `address`.
  std::vector<std::string> addresses;
};

// The three objects as a pass creates them.
api::core::v1::Service kubernetes_service(const KubernetesServiceOptions& options);
api::core::v1::Endpoints kubernetes_endpoints(const KubernetesServiceOptions& options);
api::discovery::v1::EndpointSlice kubernetes_endpoint_slice(const KubernetesServiceOptions& options);

class KubernetesService {
 public:
  KubernetesService(ApiCore& api, KubernetesServiceOptions options, spdlog::logger& log);

  // One pass over the Service, its Endpoints and its EndpointSlice; writes only what differs.
  // Throws what the API threw (the caller tries again later).
  void reconcile();
  // The same, with the endpoints listing `addresses` (the live apiservers'; empty: this one's).
  void reconcile(const std::vector<std::string>& addresses);

 private:
  void reconcile_service();
  void reconcile_endpoints(const KubernetesServiceOptions& options);
  void reconcile_endpoint_slices(const KubernetesServiceOptions& options);
  // Creates `desired`, or lets `repair` bring the stored object in line (no write when it is).
  void ensure(const sdk::ResourceType& type, const google::protobuf::Message& desired,
              const std::function<void(google::protobuf::Message& stored)>& repair, bool validated);

  ApiCore& api_;
  KubernetesServiceOptions options_;
  spdlog::logger& log_;
  // The live apiservers of the last pass: a pass that finds others rewrites the endpoints as
  // expected, which is no edit to warn about.
  std::vector<std::string> last_addresses_;
  bool membership_changed_ = false;
};

}  // namespace skiff::apiserver
