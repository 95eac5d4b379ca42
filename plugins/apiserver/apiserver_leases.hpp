// Every apiserver's identity Lease, as Kubernetes' apiserver keeps one (`apiserver-<node>` in
// kube-system, labelled apiserver.kubernetes.io/identity=kube-apiserver): renewed while it runs,
// deleted when it stops. The `kubernetes` Service's endpoints are the addresses of the unexpired
// ones, so with several masters it lists every live apiserver (Kubernetes' lease endpoint
// reconciler). Expiry is judged on the wall clock: the masters' clocks must roughly agree.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "api_core.hpp"
#include "skiff/api/coordination/v1/lease.pb.h"

namespace skiff::apiserver {

struct ApiserverLeaseOptions {
  std::string node;     // the lease is apiserver-<node>
  std::string address;  // this apiserver's advertised address, kept in an annotation
  std::chrono::seconds lease_duration{15};  // Kubernetes' master lease TTL
};

inline constexpr const char* kApiserverIdentityLabel = "apiserver.kubernetes.io/identity";
inline constexpr const char* kApiserverAddressAnnotation = "apiserver.skiff.io/advertise-address";

// The lease as a renewal writes it at `now`.
api::coordination::v1::Lease apiserver_lease(const ApiserverLeaseOptions& options,
                                             std::chrono::system_clock::time_point now);
// The addresses of the leases not expired at `now`, sorted and without duplicates.
std::vector<std::string> live_addresses(const std::vector<api::coordination::v1::Lease>& leases,
                                        std::chrono::system_clock::time_point now);

class ApiserverLeases {
 public:
  ApiserverLeases(ApiCore& api, ApiserverLeaseOptions options);

  // Writes this apiserver's lease with a fresh renewTime; throws what the API threw.
  void renew();
  // The live apiservers' addresses; always this one's (it is serving while it asks).
  std::vector<std::string> live();
  // Deletes this apiserver's lease (a clean stop); 404 is fine.
  void release();
  const std::string& address() const { return options_.address; }

 private:
  ApiCore& api_;
  ApiserverLeaseOptions options_;
};

}  // namespace skiff::apiserver
