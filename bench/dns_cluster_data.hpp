// The synthetic clusters dns_bench serves: Services `svc-<i>.ns-<i % namespaces>`, each with its
// own pods, as the zone's plain values and as the protobufs an informer would cache for them.
#pragma once

#include <string>
#include <vector>

#include "cluster_objects.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"

namespace skiff::bench {

struct ClusterShape {
  int services = 1000;
  int pods_per_service = 0;  // pods 5i … 5i+4 belong to Service i (its selector's)
  int namespaces = 10;
  int headless_every = 0;    // every n-th Service is headless (StatefulSet-style hostnames); 0: none
};

std::string service_namespace(int service, const ClusterShape& shape);
std::string service_name(int service);
std::string service_fqdn(int service, const ClusterShape& shape);  // without the final dot
bool is_headless(int service, const ClusterShape& shape);
std::string cluster_ip(int service);  // 10.96.0.10 + service
std::string pod_ip(int pod);          // 10.244.<pod / 250>.<pod % 250 + 2>

// ClusterIP Services have `http` (and every other one `metrics`) ports: SRV records; headless
// ones a `peer` port and their pods as endpoints, each with its hostname.
std::vector<dns::Service> zone_services(const ClusterShape& shape);
std::vector<dns::Pod> zone_pods(const ClusterShape& shape);

// The same objects as the API holds them (no managedFields or annotations, so on the small side).
api::core::v1::Service service_object(int service, const ClusterShape& shape);
api::core::v1::Pod pod_object(int pod, const ClusterShape& shape);
api::discovery::v1::EndpointSlice endpoint_slice_object(int service, const ClusterShape& shape);

}  // namespace skiff::bench
