// Informer objects (protobufs) turned into the plain values the zone is built from.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "cluster_objects.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"

namespace skiff::dns {

using PodLookup = std::function<std::shared_ptr<const api::core::v1::Pod>(const std::string& ns, const std::string& name)>;

// A Service with, when headless, the endpoints of its slices; `pod` finds endpoints' pods
// (for their hostname and subdomain). Addresses that do not parse are skipped.
Service to_dns_service(const api::core::v1::Service& service,
                       const std::vector<std::shared_ptr<const api::discovery::v1::EndpointSlice>>& slices,
                       const PodLookup& pod);

// A pod as the zone sees it; nullopt while it has no address.
std::optional<Pod> to_dns_pod(const api::core::v1::Pod& pod);

// dnsPolicy ClusterFirst (or ClusterFirstWithHostNet) with no searches of its own: the pod's
// resolv.conf has the cluster's standard search list.
bool has_standard_search_path(const api::core::v1::PodSpec& spec);

// What the informers keep of each object (their transform): only the fields read above, so the
// caches of 50,000 pods cost a fraction of the full objects.
void slim_pod(google::protobuf::Message& pod);
void slim_service(google::protobuf::Message& service);

}  // namespace skiff::dns
