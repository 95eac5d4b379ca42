// A Service's pods as EndpointSlice endpoints, as Kubernetes' podToEndpoint and
// getEndpointPorts make them, grouped by their resolved ports.
#include "endpoint_slice_endpoints.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "pod_state.hpp"
#include "service_pods.hpp"

namespace skiff::controllers {

namespace {

namespace core = api::core::v1;

bool is_ipv6(const std::string& ip) { return ip.find(':') != std::string::npos; }

// Addresses the API refuses as endpoints (unspecified, loopback, link-local): a pod with one
// (a host-network pod on a node known as 127.0.0.1) is left out rather than failing the slice.
bool usable_endpoint_ip(const std::string& ip) {
  unsigned char b[16] = {};
  if (inet_pton(AF_INET, ip.c_str(), b) == 1)
    return b[0] != 0 && b[0] != 127 && !(b[0] == 169 && b[1] == 254) && !(b[0] == 224 && b[1] == 0 && b[2] == 0);
  if (inet_pton(AF_INET6, ip.c_str(), b) != 1) return false;
  static const unsigned char zero[16] = {};
  bool unspecified = std::memcmp(b, zero, 16) == 0;
  bool loopback = std::memcmp(b, zero, 15) == 0 && b[15] == 1;
  bool link_local = (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || (b[0] == 0xff && (b[1] & 0x0f) == 0x02);
  return !unspecified && !loopback && !link_local;
}

// Kubernetes' getEndpointAddresses: the pod IPs of this family (status.podIP for a pod
// reported without podIPs).
std::vector<std::string> addresses_of(const core::Pod& pod, const std::string& address_type) {
  std::vector<std::string> ips;
  for (const auto& p : pod.status().pod_ips()) ips.push_back(p.ip());
  if (ips.empty() && !pod.status().pod_ip().empty()) ips.push_back(pod.status().pod_ip());
  std::vector<std::string> out;
  for (const auto& ip : ips)
    if (is_ipv6(ip) == (address_type == "IPv6") && usable_endpoint_ip(ip)) out.push_back(ip);
  return out;
}

// Kubernetes' ShouldPodBeInEndpoints with terminating pods included.
bool in_slices(const core::Pod& pod) {
  const auto& phase = pod.status().phase();
  if (phase == "Succeeded" || phase == "Failed") return false;
  return !pod.status().pod_ip().empty() || !pod.status().pod_ips().empty();
}

// Kubernetes' getEndpointPorts: each service port that reaches a container port on this pod.
std::vector<discovery::EndpointPort> ports_of(const core::Service& service, const core::Pod& pod) {
  std::vector<discovery::EndpointPort> out;
  for (const auto& sp : service.spec().ports()) {
    int number = find_port(sp, pod);
    if (number == 0) continue;
    discovery::EndpointPort port;
    port.set_name(sp.name());
    port.set_protocol(sp.protocol().empty() ? "TCP" : sp.protocol());
    port.set_port(number);
    if (!sp.app_protocol().empty()) port.set_app_protocol(sp.app_protocol());
    out.push_back(std::move(port));
  }
  return out;
}

// Kubernetes' podToEndpoint. Ready: ready and not terminating (always, with
// publishNotReadyAddresses); serving: ready, terminating or not.
discovery::Endpoint endpoint_of(const core::Service& service, const core::Pod& pod, const core::Node* node,
                                std::vector<std::string> addresses) {
  discovery::Endpoint e;
  for (auto& a : addresses) e.add_addresses(std::move(a));
  bool serving = is_ready(pod);
  bool terminating = !pod.metadata().deletion_timestamp().empty();
  e.mutable_conditions()->set_ready(service.spec().publish_not_ready_addresses() || (serving && !terminating));
  e.mutable_conditions()->set_serving(serving);
  e.mutable_conditions()->set_terminating(terminating);
  auto* ref = e.mutable_target_ref();
  ref->set_kind("Pod");
  ref->set_namespace_(pod.metadata().namespace_());
  ref->set_name(pod.metadata().name());
  ref->set_uid(pod.metadata().uid());
  if (!pod.spec().node_name().empty()) e.set_node_name(pod.spec().node_name());
  if (node) {
    auto zone = node->metadata().labels().find(kZoneLabel);
    if (zone != node->metadata().labels().end() && !zone->second.empty()) e.set_zone(zone->second);
  }
  // Kubernetes' ShouldSetHostname: the pod names itself and its subdomain is this Service.
  if (!pod.spec().hostname().empty() && pod.spec().subdomain() == service.metadata().name()) e.set_hostname(pod.spec().hostname());
  return e;
}

// Numeric address order (10.0.0.9 before 10.0.0.10), so slices list pods in a stable order.
bool address_before(const discovery::Endpoint& a, const discovery::Endpoint& b) {
  auto bytes = [](const std::string& ip) {
    unsigned char out[16] = {};
    if (inet_pton(AF_INET, ip.c_str(), out + 12) != 1) inet_pton(AF_INET6, ip.c_str(), out);
    return std::string(reinterpret_cast<char*>(out), 16);
  };
  return std::make_pair(bytes(a.addresses(0)), endpoint_key(a)) < std::make_pair(bytes(b.addresses(0)), endpoint_key(b));
}

}  // namespace

std::vector<std::string> address_types_of(const core::Service& service) {
  std::set<std::string> types;
  for (const auto& family : service.spec().ip_families()) {
    if (family == "IPv4") types.insert("IPv4");
    if (family == "IPv6") types.insert("IPv6");
  }
  const std::string& cluster_ip = service.spec().cluster_ip();
  if (types.empty() && !cluster_ip.empty() && cluster_ip != "None") types.insert(is_ipv6(cluster_ip) ? "IPv6" : "IPv4");
  if (types.empty()) types = {"IPv4", "IPv6"};
  return {types.begin(), types.end()};
}

DesiredEndpoints desired_endpoints(const core::Service& service, const std::vector<PodPtr>& pods,
                                   const std::vector<NodePtr>& nodes) {
  std::map<std::string, const core::Node*> node_named;
  for (const auto& n : nodes) node_named[n->metadata().name()] = n.get();
  DesiredEndpoints out;
  for (const auto& type : address_types_of(service)) {
    std::map<std::string, EndpointGroup> groups;  // by ports_key
    for (const auto& pod : pods) {
      if (!in_slices(*pod)) continue;
      const core::Node* node = nullptr;
      if (!pod->spec().node_name().empty()) {
        auto it = node_named.find(pod->spec().node_name());
        node = it == node_named.end() ? nullptr : it->second;
        // As Kubernetes: a pod on a node nobody knows stays out (unless every address is
        // to be published), and the Service is synced again later.
        if (!node && !service.spec().publish_not_ready_addresses()) {
          out.pods_on_unknown_nodes.push_back(pod->metadata().name());
          continue;
        }
      }
      auto addresses = addresses_of(*pod, type);
      if (addresses.empty()) continue;
      auto ports = ports_of(service, *pod);
      auto& group = groups[ports_key(ports)];
      if (group.endpoints.empty()) group.ports = ports;
      group.endpoints.push_back(endpoint_of(service, *pod, node, std::move(addresses)));
    }
    auto& listed = out.by_address_type[type];
    for (auto& [key, group] : groups) {
      std::sort(group.endpoints.begin(), group.endpoints.end(), address_before);
      listed.push_back(std::move(group));
    }
  }
  return out;
}

std::string endpoint_key(const discovery::Endpoint& endpoint) {
  std::vector<std::string> addresses(endpoint.addresses().begin(), endpoint.addresses().end());
  std::sort(addresses.begin(), addresses.end());
  std::string key;
  for (const auto& a : addresses) key += a + ",";
  return key + "|" + endpoint.target_ref().namespace_() + "/" + endpoint.target_ref().name();
}

std::string ports_key(const std::vector<discovery::EndpointPort>& ports) {
  std::vector<std::string> parts;
  for (const auto& p : ports)
    parts.push_back(p.name() + "/" + p.protocol() + "/" + (p.has_port() ? std::to_string(p.port()) : "*") + "/" +
                    (p.has_app_protocol() ? p.app_protocol() : "-"));
  std::sort(parts.begin(), parts.end());
  std::string key;
  for (const auto& p : parts) key += p + ";";
  return key;
}

std::string ports_key(const google::protobuf::RepeatedPtrField<discovery::EndpointPort>& ports) {
  return ports_key(std::vector<discovery::EndpointPort>(ports.begin(), ports.end()));
}

}  // namespace skiff::controllers
