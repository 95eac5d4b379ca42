// From a Service and its EndpointSlices to ServicePorts, the way kube-proxy decides.
#include "service_ports.hpp"

#include <algorithm>
#include <set>

namespace skiff::proxy {
namespace {

namespace core = api::core::v1;

std::optional<Protocol> protocol_of(const std::string& text) {
  if (text.empty() || text == "TCP") return Protocol::tcp;
  if (text == "UDP") return Protocol::udp;
  if (text == "SCTP") return Protocol::sctp;
  return std::nullopt;
}

std::vector<std::uint32_t> ipv4s(const auto& texts) {
  std::vector<std::uint32_t> out;
  for (const auto& text : texts)
    if (auto ip = sdk::parse_ipv4(text)) out.push_back(*ip);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::uint32_t> cluster_ips(const core::ServiceSpec& spec) {
  std::vector<std::string> texts(spec.cluster_ips().begin(), spec.cluster_ips().end());
  if (texts.empty()) texts.push_back(spec.cluster_ip());
  return ipv4s(texts);
}

// spec.externalIPs, and for LoadBalancers the IPs their provider wrote into the status.
std::vector<std::uint32_t> external_ips(const core::Service& service) {
  std::vector<std::string> texts(service.spec().external_ips().begin(), service.spec().external_ips().end());
  if (service.spec().type() == "LoadBalancer")
    for (const auto& ingress : service.status().load_balancer().ingress())
      if (!ingress.ip().empty()) texts.push_back(ingress.ip());
  return ipv4s(texts);
}

// The LoadBalancer IPs, which loadBalancerSourceRanges guard (spec.externalIPs are not guarded,
// as in kube-proxy).
std::vector<std::uint32_t> load_balancer_ips(const core::Service& service) {
  std::vector<std::string> texts;
  if (service.spec().type() == "LoadBalancer")
    for (const auto& ingress : service.status().load_balancer().ingress())
      if (!ingress.ip().empty()) texts.push_back(ingress.ip());
  return ipv4s(texts);
}

// spec.loadBalancerSourceRanges, else the older annotation (comma-separated), as Kubernetes
// reads them; host bits are masked, unparsable entries skipped (the apiserver refuses them).
std::vector<sdk::Ipv4Cidr> source_ranges(const core::Service& service) {
  std::vector<std::string> texts(service.spec().load_balancer_source_ranges().begin(),
                                 service.spec().load_balancer_source_ranges().end());
  if (texts.empty()) {
    auto annotation = service.metadata().annotations().find("service.beta.kubernetes.io/load-balancer-source-ranges");
    if (annotation != service.metadata().annotations().end()) {
      std::string text = annotation->second;
      for (std::size_t start = 0; start <= text.size();) {
        auto comma = std::min(text.find(',', start), text.size());
        std::string item = text.substr(start, comma - start);
        std::erase_if(item, [](char c) { return c == ' '; });
        if (!item.empty()) texts.push_back(item);
        start = comma + 1;
      }
    }
  }
  std::vector<sdk::Ipv4Cidr> ranges;
  for (const auto& text : texts) {
    auto parsed = sdk::parse_ipv4_cidr(text, sdk::HostBits::Mask);
    if (auto* cidr = std::get_if<sdk::Ipv4Cidr>(&parsed)) ranges.push_back(*cidr);
  }
  std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) {
    return std::pair(a.network, a.prefix) < std::pair(b.network, b.prefix);
  });
  ranges.erase(std::unique(ranges.begin(), ranges.end()), ranges.end());
  return ranges;
}

bool has_node_ports(const core::ServiceSpec& spec) { return spec.type() == "NodePort" || spec.type() == "LoadBalancer"; }

// The slices' endpoints for one Service port (matched by port name and protocol), each once.
std::vector<std::pair<Endpoint, SliceEndpoint>> endpoints_for(const core::ServicePort& port,
                                                             const std::vector<SliceView>& slices) {
  std::string protocol = port.protocol().empty() ? "TCP" : port.protocol();
  std::vector<std::pair<Endpoint, SliceEndpoint>> out;
  std::set<Endpoint> seen;
  for (const auto& slice : slices) {
    if (slice.address_type != "IPv4") continue;
    for (const auto& slice_port : slice.ports) {
      if (slice_port.name != port.name() || slice_port.protocol != protocol) continue;
      if (slice_port.port <= 0 || slice_port.port > 65535) continue;
      for (const auto& endpoint : slice.endpoints) {
        auto ip = sdk::parse_ipv4(endpoint.ip);
        if (!ip) continue;
        Endpoint e{*ip, static_cast<std::uint16_t>(slice_port.port)};
        if (seen.insert(e).second) out.emplace_back(e, endpoint);
      }
    }
  }
  return out;
}

std::vector<std::pair<Endpoint, SliceEndpoint>> on_node(const std::vector<std::pair<Endpoint, SliceEndpoint>>& all,
                                                       const std::string& node) {
  std::vector<std::pair<Endpoint, SliceEndpoint>> out;
  for (const auto& candidate : all)
    if (candidate.second.node == node) out.push_back(candidate);
  return out;
}

std::uint32_t affinity_seconds(const core::ServiceSpec& spec, const TranslationOptions& options) {
  if (spec.session_affinity() != "ClientIP") return 0;
  const auto& config = spec.session_affinity_config().client_ip();
  if (config.has_timeout_seconds() && config.timeout_seconds() > 0) return static_cast<std::uint32_t>(config.timeout_seconds());
  return options.default_affinity_seconds;
}

}  // namespace

std::string service_key_prefix(const std::string& namespace_, const std::string& name) {
  return namespace_ + "/" + name + ":";
}

std::string service_port_key(const std::string& namespace_, const std::string& name, const std::string& port_name,
                             const std::string& protocol) {
  return service_key_prefix(namespace_, name) + port_name + "/" + (protocol.empty() ? "TCP" : protocol);
}

bool proxied(const core::Service& service) {
  const auto& spec = service.spec();
  if (spec.type() == "ExternalName") return false;
  if (spec.cluster_ip() == "None") return false;
  return !cluster_ips(spec).empty();
}

std::vector<Endpoint> usable_endpoints(const std::vector<std::pair<Endpoint, SliceEndpoint>>& candidates) {
  std::vector<Endpoint> ready, serving_terminating;
  for (const auto& [endpoint, conditions] : candidates) {
    if (conditions.ready && !conditions.terminating) ready.push_back(endpoint);
    else if (conditions.serving && conditions.terminating) serving_terminating.push_back(endpoint);
  }
  auto& chosen = ready.empty() ? serving_terminating : ready;
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

std::map<std::string, ServicePort> service_ports(const core::Service& service, const std::vector<SliceView>& slices,
                                                 const TranslationOptions& options) {
  std::map<std::string, ServicePort> out;
  if (!proxied(service)) return out;
  const auto& spec = service.spec();
  bool internal_local = spec.internal_traffic_policy() == "Local";
  bool external_local = spec.external_traffic_policy() == "Local" && has_node_ports(spec);
  for (const auto& port : spec.ports()) {
    auto protocol = protocol_of(port.protocol());
    if (!protocol || port.port() <= 0 || port.port() > 65535) continue;
    auto all = endpoints_for(port, slices);
    auto local = on_node(all, options.node);
    ServicePort sp;
    sp.protocol = *protocol;
    sp.port = static_cast<std::uint16_t>(port.port());
    sp.cluster_ips = cluster_ips(spec);
    if (has_node_ports(spec) && port.node_port() > 0 && port.node_port() <= 65535)
      sp.node_port = static_cast<std::uint16_t>(port.node_port());
    sp.external_ips = external_ips(service);
    sp.cluster_endpoints = usable_endpoints(internal_local ? local : all);
    if (sp.node_port || !sp.external_ips.empty()) sp.external_endpoints = usable_endpoints(external_local ? local : all);
    sp.external_local = external_local;
    sp.affinity_seconds = affinity_seconds(spec, options);
    sp.source_ranges = source_ranges(service);
    if (!sp.source_ranges.empty()) sp.firewalled_ips = load_balancer_ips(service);
    out[service_port_key(service.metadata().namespace_(), service.metadata().name(), port.name(), port.protocol())] =
        std::move(sp);
  }
  return out;
}

}  // namespace skiff::proxy
