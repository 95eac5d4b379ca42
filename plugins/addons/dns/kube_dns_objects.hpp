// The `kube-dns` Service in kube-system (the cluster DNS address pods are given) and each
// node's EndpointSlice for it (the node's address, port 53): what a node without the addon
// reaches through the proxy.
#pragma once

#include <string>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"

namespace skiff::dns {

inline constexpr const char* kDnsNamespace = "kube-system";
inline constexpr const char* kDnsServiceName = "kube-dns";
inline constexpr const char* kManagedBy = "dns.skiff.io";

// No selector: the endpoints are nodes, written by each node's addon.
api::core::v1::Service kube_dns_service(const std::string& cluster_ip);

// `kube-dns-<node>`, owned by the Node (the garbage collector removes it with the node).
api::discovery::v1::EndpointSlice node_endpoint_slice(const api::core::v1::Node& node, const std::string& node_address);

// The node's InternalIP (else its first address); "" when it has none yet.
std::string node_internal_ip(const api::core::v1::Node& node);

}  // namespace skiff::dns
