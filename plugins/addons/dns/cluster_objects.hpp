// What the zone is built from: plain values for Services, their endpoints and pods, so the zone
// is testable without protobufs and the plugin adapts informer objects to these later.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace skiff::dns {

using IpAddress = boost::asio::ip::address;

enum class ServiceType { ClusterIP, NodePort, LoadBalancer, ExternalName };
enum class PortProtocol { TCP, UDP, SCTP };

struct ServicePort {
  std::string name;  // empty: unnamed, so no SRV record
  PortProtocol protocol = PortProtocol::TCP;
  std::uint16_t port = 0;
};

// One address of an EndpointSlice endpoint (an endpoint with two addresses is two of these).
struct ServiceEndpoint {
  IpAddress address;
  bool ready = true;
  std::string hostname;       // the endpoint's own hostname field
  std::string node_name;
  std::string pod_hostname;   // the pod's spec.hostname, when the adapter knows the pod
  std::string pod_subdomain;  // the pod's spec.subdomain
};

struct Service {
  std::string namespace_;
  std::string name;
  ServiceType type = ServiceType::ClusterIP;
  std::vector<IpAddress> cluster_ips;  // empty for headless and ExternalName Services
  bool headless = false;               // spec.clusterIP: None
  std::string external_name;           // for type ExternalName
  std::vector<ServicePort> ports;
  bool publish_not_ready_addresses = false;
  // Headless Services only: their endpoints, and the EndpointSlices' ports (the numbers pods
  // listen on, by port name); when empty, SRV records use the Service's ports.
  std::vector<ServiceEndpoint> endpoints;
  std::vector<ServicePort> endpoint_ports;
};

struct Pod {
  std::string namespace_;
  std::string name;
  std::vector<IpAddress> ips;
  // Host-network pods share the node's address, so it says nothing about their namespace.
  bool host_network = false;
  // Whether the pod's resolv.conf search list is the cluster's standard one (dnsPolicy
  // ClusterFirst without dnsConfig searches): only then may its queries be short-circuited.
  bool standard_search_path = true;
};

}  // namespace skiff::dns
