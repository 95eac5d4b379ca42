// The downward API: a pod's own fields and its containers' resources as the text a container
// reads in an environment variable or a file, computed as Kubernetes' kubelet computes them.
#pragma once

#include <functional>
#include <map>
#include <utility>
#include <string>
#include <vector>

#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::kubelet {

// What the downward API reads besides the pod itself.
struct DownwardContext {
  std::vector<std::string> host_ips;  // the node's addresses: status.hostIP is the first
  std::vector<std::string> pod_ips;   // the sandbox's (the node's with hostNetwork): status.podIP is the first
  // The node's allocatable ("cpu", "memory", "ephemeral-storage"): what a container without a
  // limit reads as its limit.
  std::map<std::string, std::string> allocatable;
  // What a serviceAccountToken projection holds (a bound token from the API); unset, such a
  // volume is a CreateContainerConfigError.
  std::function<std::string(const api::core::v1::Pod&, const api::core::v1::ServiceAccountTokenProjection&)>
      service_account_token;
  // Set before the container's own env, which may override them: the `kubernetes` Service's.
  std::vector<std::pair<std::string, std::string>> service_env;
};

// A fieldRef's value: metadata.name/namespace/uid, metadata.labels and metadata.annotations
// (whole, as `key="value"` lines, or one key with ['key']), spec.nodeName,
// spec.serviceAccountName, status.hostIP(s), status.podIP(s) (several joined by ",").
// Throws sdk::Error (CreateContainerConfigError) for a path Kubernetes does not offer.
std::string field_ref_value(const api::core::v1::Pod& pod, const api::core::v1::ObjectFieldSelector& selector,
                            const DownwardContext& context);

// A resourceFieldRef's value: the named container's (or `container`'s, when the selector names
// none) request or limit, divided by the divisor (1 when unset) and rounded up; a limit that is
// not set is the node's allocatable. Throws sdk::Error (CreateContainerConfigError) for an
// unknown container or resource.
std::string resource_field_value(const api::core::v1::Pod& pod, const api::core::v1::Container* container,
                                 const api::core::v1::ResourceFieldSelector& selector, const DownwardContext& context);

// A map as the downward API writes it: `key="value"` lines in key order, values quoted as Go's
// %q quotes them, no newline after the last.
std::string format_map(const google::protobuf::Map<std::string, std::string>& map);

}  // namespace skiff::kubelet
