// The records a Service or a pod puts in the zone, as the Kubernetes DNS specification lists
// them (github.com/kubernetes/dns docs/specification.md): pure functions of one object.
#pragma once

#include <string>
#include <vector>

#include "cluster_objects.hpp"
#include "record_store.hpp"
#include "zone_config.hpp"

namespace skiff::dns {

// A/AAAA, SRV and PTR of a ClusterIP Service; every ready endpoint's A/AAAA, its own name,
// SRV and PTR for a headless one; a CNAME for an ExternalName one.
std::vector<Record> service_records(const Service& service, const ZoneSettings& zone);

// `<a-b-c-d>.<ns>.pod.<zone>` per address, when pod records are verified.
std::vector<Record> pod_records(const Pod& pod, const ZoneSettings& zone);

// The name a headless Service's endpoint gets under the Service: its hostname, else its pod's
// hostname when the pod's subdomain is this Service, else its dashed address.
std::string endpoint_label(const ServiceEndpoint& endpoint, const Service& service);

// The store's source keys.
std::string service_source(std::string_view namespace_, std::string_view name);
std::string pod_source(std::string_view namespace_, std::string_view name);

}  // namespace skiff::dns
