// Kubernetes' ServiceAccount admission: a new pod runs as an account that exists, and — unless
// the pod or its account opts out with automountServiceAccountToken: false — gets the
// `kube-api-access-<random>` projected volume (a bound token, the cluster CA, the namespace)
// mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every container.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service_account.pb.h"

namespace skiff::apiserver {

inline constexpr const char* kServiceAccountMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
// The kubelet asks for an hour and a few seconds: the API recognises this as its own default.
inline constexpr std::int64_t kProjectedTokenSeconds = 3607;

// The account by namespace and name; nullopt when there is none.
using ServiceAccountLookup =
    std::function<std::optional<api::core::v1::ServiceAccount>(const std::string& ns, const std::string& name)>;

// Throws ApiError 403 for a named account that does not exist. The namespace's `default`
// account may still be on its way (it is made when the namespace is): its pods are admitted.
void admit_service_account(api::core::v1::Pod& pod, const ServiceAccountLookup& lookup);

}  // namespace skiff::apiserver
