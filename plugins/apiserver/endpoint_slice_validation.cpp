// ValidateEndpointSlice's rules, field by field, in the order Kubernetes reports them.
#include "endpoint_slice_validation.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "field_rules.hpp"

namespace skiff::apiserver {
namespace {

namespace discovery = api::discovery::v1;

constexpr std::size_t kMaxEndpoints = 1000;
constexpr std::size_t kMaxAddresses = 100;
// Kubernetes raised this from 100 to 20000 (its API doc still says 100).
constexpr std::size_t kMaxPorts = 20000;
constexpr std::size_t kMaxZoneHints = 8;

const std::vector<std::string> kAddressTypes = {"FQDN", "IPv4", "IPv6"};
const std::vector<std::string> kProtocols = {"SCTP", "TCP", "UDP"};

std::string at(const std::string& path, int i) { return path + "[" + std::to_string(i) + "]"; }

void each(FieldErrors& errors, const std::string& field, const std::string& value, const Messages& messages) {
  for (const auto& m : messages) errors.invalid(field, quoted(value), m);
}

struct ParsedIp {
  int family = 0;  // AF_INET, AF_INET6, 0 when not an IP
  unsigned char bytes[16] = {};
};

ParsedIp parse_ip(const std::string& text) {
  ParsedIp ip;
  if (inet_pton(AF_INET, text.c_str(), ip.bytes) == 1) ip.family = AF_INET;
  else if (inet_pton(AF_INET6, text.c_str(), ip.bytes) == 1) ip.family = AF_INET6;
  return ip;
}

// Kubernetes' ValidateEndpointIP: an IP, and not one that makes no sense as a destination.
Messages endpoint_ip_errors(const std::string& text) {
  ParsedIp ip = parse_ip(text);
  if (ip.family == 0) return {"must be a valid IP address"};
  const unsigned char* b = ip.bytes;
  bool v4 = ip.family == AF_INET;
  static const unsigned char zero[16] = {};
  Messages out;
  if (std::memcmp(b, zero, v4 ? 4 : 16) == 0) out.push_back("may not be unspecified (" + text + ")");
  bool loopback6 = std::memcmp(b, zero, 15) == 0 && b[15] == 1;
  if (v4 ? b[0] == 127 : loopback6) out.push_back("may not be in the loopback range (127.0.0.0/8, ::1/128)");
  if (v4 ? (b[0] == 169 && b[1] == 254) : (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
    out.push_back("may not be in the link-local range (169.254.0.0/16, fe80::/10)");
  if (v4 ? (b[0] == 224 && b[1] == 0 && b[2] == 0) : (b[0] == 0xff && (b[1] & 0x0f) == 0x02))
    out.push_back("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
  return out;
}

// Kubernetes' IsFullyQualifiedDomainName: a subdomain of at least two labels, a trailing dot allowed.
void check_fqdn(FieldErrors& errors, const std::string& field, std::string name) {
  if (name.empty()) return errors.required(field);
  if (name.back() == '.') name.pop_back();
  Messages subdomain = dns1123_subdomain_errors(name);
  if (!subdomain.empty()) {
    std::string joined;
    for (const auto& m : subdomain) joined += (joined.empty() ? "" : ",") + m;
    return errors.invalid(field, quoted(name), joined);
  }
  if (name.find('.') == std::string::npos)
    return errors.invalid(field, quoted(name), "should be a domain with at least two segments separated by dots");
  for (std::size_t start = 0; start <= name.size();) {  // a subdomain's labels may still be too long
    std::size_t dot = std::min(name.find('.', start), name.size());
    std::string label = name.substr(start, dot - start);
    Messages label_errors = dns1123_label_errors(label);
    if (!label_errors.empty()) {
      std::string joined;
      for (const auto& m : label_errors) joined += (joined.empty() ? "" : ",") + m;
      return errors.invalid(field, quoted(label), joined);
    }
    start = dot + 1;
  }
}

void check_address(FieldErrors& errors, const std::string& field, const std::string& address, const std::string& type) {
  if (type == "IPv4" || type == "IPv6") {
    int family = parse_ip(address).family;
    if (type == "IPv4" && family != AF_INET) errors.invalid(field, quoted(address), "must be a valid IPv4 address");
    if (type == "IPv6" && family != AF_INET6) errors.invalid(field, quoted(address), "must be a valid IPv6 address");
    each(errors, field, address, endpoint_ip_errors(address));
  } else if (type == "FQDN") {
    check_fqdn(errors, field, address);
  }  // an unknown type is reported once, at addressType
}

void check_hints(FieldErrors& errors, const std::string& path, const discovery::EndpointHints& hints) {
  const std::string zones = path + ".forZones";
  if (static_cast<std::size_t>(hints.for_zones_size()) > kMaxZoneHints)
    return errors.too_many(zones, hints.for_zones_size(), kMaxZoneHints);
  std::set<std::string> seen;
  for (int i = 0; i < hints.for_zones_size(); ++i) {
    const std::string& zone = hints.for_zones(i).name();
    std::string field = at(zones, i) + ".name";
    if (!seen.insert(zone).second) errors.duplicate(field, quoted(zone));
    each(errors, field, zone, label_value_errors(zone));
  }
}

void check_endpoint(FieldErrors& errors, const std::string& path, const discovery::Endpoint& endpoint,
                    const std::string& type) {
  const std::string addresses = path + ".addresses";
  if (endpoint.addresses().empty()) errors.required(addresses, "must contain at least 1 address");
  else if (static_cast<std::size_t>(endpoint.addresses_size()) > kMaxAddresses)
    errors.too_many(addresses, endpoint.addresses_size(), kMaxAddresses);
  for (int i = 0; i < endpoint.addresses_size(); ++i)
    check_address(errors, at(addresses, i), endpoint.addresses(i), type);
  if (endpoint.has_node_name())
    each(errors, path + ".nodeName", endpoint.node_name(), dns1123_subdomain_errors(endpoint.node_name()));
  if (endpoint.has_hostname())
    each(errors, path + ".hostname", endpoint.hostname(), dns1123_label_errors(endpoint.hostname()));
  if (endpoint.has_hints()) check_hints(errors, path + ".hints", endpoint.hints());
}

void check_ports(FieldErrors& errors, const google::protobuf::RepeatedPtrField<discovery::EndpointPort>& ports) {
  if (static_cast<std::size_t>(ports.size()) > kMaxPorts) return errors.too_many("ports", ports.size(), kMaxPorts);
  std::set<std::string> names;
  for (int i = 0; i < ports.size(); ++i) {
    const auto& port = ports[i];
    std::string path = at("ports", i);
    if (!port.name().empty()) each(errors, path + ".name", port.name(), dns1123_label_errors(port.name()));
    if (!names.insert(port.name()).second) errors.duplicate(path + ".name", quoted(port.name()));
    if (!port.has_protocol()) errors.required(path + ".protocol");
    else if (std::find(kProtocols.begin(), kProtocols.end(), port.protocol()) == kProtocols.end())
      errors.unsupported(path + ".protocol", port.protocol(), kProtocols);
    if (port.has_app_protocol())
      each(errors, path + ".appProtocol", port.app_protocol(), qualified_name_errors(port.app_protocol()));
  }
}

}  // namespace

void check_endpoint_slice(FieldErrors& errors, const discovery::EndpointSlice& slice,
                          const discovery::EndpointSlice* old) {
  const std::string& type = slice.address_type();
  if (type.empty()) errors.required("addressType");
  else if (std::find(kAddressTypes.begin(), kAddressTypes.end(), type) == kAddressTypes.end())
    errors.unsupported("addressType", type, kAddressTypes);
  if (static_cast<std::size_t>(slice.endpoints_size()) > kMaxEndpoints) {
    errors.too_many("endpoints", slice.endpoints_size(), kMaxEndpoints);
  } else {
    for (int i = 0; i < slice.endpoints_size(); ++i)
      check_endpoint(errors, at("endpoints", i), slice.endpoints(i), type);
  }
  check_ports(errors, slice.ports());
  if (old && old->address_type() != type) errors.invalid("addressType", quoted(type), "field is immutable");
}

}  // namespace skiff::apiserver
