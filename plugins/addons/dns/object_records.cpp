// Names are composed as text and parsed once by libknot, which also lowercases them; an object
// whose names are invalid (which validation at the API prevents) contributes nothing.
#include "object_records.hpp"

#include "knot.hpp"

#include <algorithm>
#include <optional>

#include "reverse_names.hpp"

namespace skiff::dns {

namespace {

std::string_view protocol_label(PortProtocol protocol) {
  switch (protocol) {
    case PortProtocol::UDP: return "_udp";
    case PortProtocol::SCTP: return "_sctp";
    case PortProtocol::TCP: break;
  }
  return "_tcp";
}

std::optional<WireName> below(std::string_view prefix, const WireName& parent) {
  auto relative = wire_name(prefix);
  if (!relative) return std::nullopt;
  return concatenate(*relative, parent);
}

std::optional<WireName> srv_owner(const ServicePort& port, const WireName& service_name) {
  return below("_" + port.name + "." + std::string(protocol_label(port.protocol)), service_name);
}

void add_cluster_ip_records(const Service& service, const WireName& name, std::vector<Record>& out) {
  for (const auto& address : service.cluster_ips) {
    out.push_back({name, address_type(address), address_rdata(address)});
    out.push_back({reverse_name(address), KNOT_RRTYPE_PTR, name_rdata(name)});
  }
  for (const auto& port : service.ports) {
    if (port.name.empty()) continue;
    if (auto owner = srv_owner(port, name)) out.push_back({*owner, KNOT_RRTYPE_SRV, srv_rdata(0, 100, port.port, name)});
  }
}

void add_headless_records(const Service& service, const WireName& name, std::vector<Record>& out) {
  std::vector<const ServiceEndpoint*> ready;
  for (const auto& endpoint : service.endpoints) {
    if (endpoint.ready || service.publish_not_ready_addresses) ready.push_back(&endpoint);
  }
  const auto& ports = service.endpoint_ports.empty() ? service.ports : service.endpoint_ports;
  // Equal weights that add up to about 100, as RFC 2782 suggests for equal choices.
  auto weight = static_cast<std::uint16_t>(ready.empty() ? 100 : std::max<std::size_t>(1, 100 / ready.size()));
  for (const auto* endpoint : ready) {
    auto own_name = below(endpoint_label(*endpoint, service), name);
    out.push_back({name, address_type(endpoint->address), address_rdata(endpoint->address)});
    if (!own_name) continue;
    out.push_back({*own_name, address_type(endpoint->address), address_rdata(endpoint->address)});
    out.push_back({reverse_name(endpoint->address), KNOT_RRTYPE_PTR, name_rdata(*own_name)});
    for (const auto& port : ports) {
      if (port.name.empty()) continue;
      if (auto owner = srv_owner(port, name)) {
        out.push_back({*owner, KNOT_RRTYPE_SRV, srv_rdata(0, weight, port.port, *own_name)});
      }
    }
  }
}

}  // namespace

std::string endpoint_label(const ServiceEndpoint& endpoint, const Service& service) {
  if (!endpoint.hostname.empty()) return endpoint.hostname;
  if (!endpoint.pod_hostname.empty() && endpoint.pod_subdomain == service.name) return endpoint.pod_hostname;
  return dashed_address(endpoint.address);
}

std::vector<Record> service_records(const Service& service, const ZoneSettings& zone) {
  std::vector<Record> out;
  auto name = below(service.name + "." + service.namespace_, zone.services);
  if (!name) return out;
  if (service.type == ServiceType::ExternalName) {
    if (auto target = wire_name(service.external_name)) out.push_back({*name, KNOT_RRTYPE_CNAME, name_rdata(*target)});
    return out;
  }
  if (service.headless) {
    add_headless_records(service, *name, out);
  } else {
    add_cluster_ip_records(service, *name, out);
  }
  return out;
}

std::vector<Record> pod_records(const Pod& pod, const ZoneSettings& zone) {
  std::vector<Record> out;
  if (zone.config.pod_records != PodRecords::Verified) return out;
  for (const auto& address : pod.ips) {
    if (auto name = below(dashed_address(address) + "." + pod.namespace_, zone.pods)) {
      out.push_back({*name, address_type(address), address_rdata(address)});
    }
  }
  return out;
}

std::string service_source(std::string_view namespace_, std::string_view name) {
  return "service/" + std::string(namespace_) + "/" + std::string(name);
}

std::string pod_source(std::string_view namespace_, std::string_view name) {
  return "pod/" + std::string(namespace_) + "/" + std::string(name);
}

}  // namespace skiff::dns
