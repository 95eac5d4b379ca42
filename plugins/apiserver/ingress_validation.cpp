// ValidateIngress and ValidateIngressClass, rule by rule, in the order Kubernetes reports them.
#include "ingress_validation.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <string>
#include <vector>

#include "field_rules.hpp"

namespace skiff::apiserver {
namespace {

namespace net = api::networking::v1;

const std::vector<std::string> kPathTypes = {"Exact", "ImplementationSpecific", "Prefix"};
const std::vector<std::string> kParameterScopes = {"Cluster", "Namespace"};
// Sequences and endings Exact and Prefix paths may not have: proxies would read them differently.
const std::vector<std::string> kInvalidPathSequences = {"//", "/./", "/../", "%2f", "%2F"};
const std::vector<std::string> kInvalidPathSuffixes = {"/..", "/."};
const std::string kClassAnnotation = "kubernetes.io/ingress.class";
constexpr std::size_t kMaxControllerLength = 250;

std::string at(const std::string& path, int i) { return path + "[" + std::to_string(i) + "]"; }

void each(FieldErrors& errors, const std::string& field, const std::string& value, const Messages& messages) {
  for (const auto& m : messages) errors.invalid(field, quoted(value), m);
}

bool is_ip(const std::string& text) {
  unsigned char bytes[16];
  return inet_pton(AF_INET, text.c_str(), bytes) == 1 || inet_pton(AF_INET6, text.c_str(), bytes) == 1;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A host name or a "*."-wildcard one: wildcard rules for the one, subdomain rules for the other.
Messages host_errors(const std::string& host) {
  return host.find('*') != std::string::npos ? wildcard_dns1123_subdomain_errors(host) : dns1123_subdomain_errors(host);
}

// core.TypedLocalObjectReference as a backend: apiGroup (if set), kind and name.
void check_resource_backend(FieldErrors& errors, const std::string& field, const net::TypedLocalObjectReference& ref) {
  if (ref.has_api_group()) each(errors, field + ".apiGroup", ref.api_group(), dns1123_subdomain_errors(ref.api_group()));
  if (ref.kind().empty()) errors.required(field + ".kind");
  else each(errors, field + ".kind", ref.kind(), path_segment_name_errors(ref.kind()));
  if (ref.name().empty()) errors.required(field + ".name");
  else each(errors, field + ".name", ref.name(), path_segment_name_errors(ref.name()));
}

void check_service_backend(FieldErrors& errors, const std::string& field, const net::IngressServiceBackend& service) {
  if (service.name().empty()) errors.required(field + ".service.name");
  else each(errors, field + ".service.name", service.name(), dns1035_label_errors(service.name()));
  const auto& port = service.port();
  bool has_name = !port.name().empty(), has_number = port.number() != 0;
  if (has_name && has_number) {
    errors.invalid(field, quoted(""), "cannot set both port name & port number");
  } else if (has_name) {
    each(errors, field + ".service.port.name", port.name(), port_name_errors(port.name()));
  } else if (has_number) {
    for (const auto& m : port_number_errors(port.number()))
      errors.invalid(field + ".service.port.number", std::to_string(port.number()), m);
  } else {
    errors.required(field, "port name or number is required");
  }
}

// Exactly one of service and resource.
void check_backend(FieldErrors& errors, const std::string& field, const net::IngressBackend& backend) {
  if (backend.has_service() && backend.has_resource())
    errors.invalid(field, quoted(""), "cannot set both resource and service backends");
  else if (backend.has_resource()) check_resource_backend(errors, field + ".resource", backend.resource());
  else if (backend.has_service()) check_service_backend(errors, field, backend.service());
  else errors.invalid(field, quoted(""), "resource or service backend is required");
}

void check_exact_or_prefix_path(FieldErrors& errors, const std::string& field, const std::string& path) {
  if (path.rfind('/', 0) != 0) errors.invalid(field, quoted(path), "must be an absolute path");
  if (path.empty()) return;
  for (const auto& sequence : kInvalidPathSequences)
    if (path.find(sequence) != std::string::npos) errors.invalid(field, quoted(path), "must not contain '" + sequence + "'");
  for (const auto& suffix : kInvalidPathSuffixes)
    if (ends_with(path, suffix)) errors.invalid(field, quoted(path), "cannot end with '" + suffix + "'");
}

void check_path(FieldErrors& errors, const std::string& field, const net::HTTPIngressPath& path) {
  const std::string& type = path.path_type();
  // Kubernetes stops here: without a type, the path and backend are not looked at.
  if (type.empty()) return errors.required(field + ".pathType", "pathType must be specified");
  if (type == "Exact" || type == "Prefix") check_exact_or_prefix_path(errors, field + ".path", path.path());
  else if (type == "ImplementationSpecific") {
    if (!path.path().empty() && path.path()[0] != '/') errors.invalid(field + ".path", quoted(path.path()), "must be an absolute path");
  } else errors.unsupported(field + ".pathType", type, kPathTypes);
  check_backend(errors, field + ".backend", path.backend());
}

void check_rule_value(FieldErrors& errors, const std::string& field, const net::IngressRule& rule) {
  if (!rule.has_http()) return;
  if (rule.http().paths().empty()) errors.required(field + ".http.paths");
  for (int p = 0; p < rule.http().paths_size(); ++p) check_path(errors, at(field + ".http.paths", p), rule.http().paths(p));
}

bool rule_value_valid(const net::IngressRule& rule) {
  FieldErrors scratch;
  check_rule_value(scratch, "", rule);
  return scratch.empty();
}

// Kubernetes keeps accepting a stored Ingress's invalid wildcard rules and TLS secret names on
// update (they were once allowed), so an old object can still be edited.
struct Leniency {
  bool invalid_wildcard_rules = false;
  bool invalid_secret_names = false;
};

Leniency leniency_from(const net::Ingress* old) {
  Leniency l;
  if (!old) return l;
  for (const auto& rule : old->spec().rules())
    if (rule.host().find('*') != std::string::npos && !rule_value_valid(rule)) l.invalid_wildcard_rules = true;
  for (const auto& tls : old->spec().tls())
    if (!tls.secret_name().empty() && !dns1123_subdomain_errors(tls.secret_name()).empty()) l.invalid_secret_names = true;
  return l;
}

void check_rules(FieldErrors& errors, const net::IngressSpec& spec, const Leniency& leniency) {
  for (int r = 0; r < spec.rules_size(); ++r) {
    const auto& rule = spec.rules(r);
    std::string field = at("spec.rules", r);
    bool wildcard = rule.host().find('*') != std::string::npos;
    if (!rule.host().empty()) {
      if (is_ip(rule.host())) errors.invalid(field + ".host", quoted(rule.host()), "must be a DNS name, not an IP address");
      each(errors, field + ".host", rule.host(), host_errors(rule.host()));
    }
    if (!wildcard || !leniency.invalid_wildcard_rules) check_rule_value(errors, field, rule);
  }
}

void check_tls(FieldErrors& errors, const net::IngressSpec& spec, const Leniency& leniency) {
  for (int t = 0; t < spec.tls_size(); ++t) {
    const auto& tls = spec.tls(t);
    std::string field = at("spec.tls", t);
    for (int h = 0; h < tls.hosts_size(); ++h) each(errors, at(field + ".hosts", h), tls.hosts(h), host_errors(tls.hosts(h)));
    if (!leniency.invalid_secret_names && !tls.secret_name().empty())
      each(errors, field + ".secretName", tls.secret_name(), dns1123_subdomain_errors(tls.secret_name()));
  }
}

// ValidateIngressLoadBalancerStatus: IPs stay valid or as they were, hostnames are names.
void check_load_balancer_status(FieldErrors& errors, const net::Ingress& ingress, const net::Ingress* old) {
  std::vector<std::string> old_ips;
  if (old)
    for (const auto& point : old->status().load_balancer().ingress())
      if (!point.ip().empty()) old_ips.push_back(point.ip());
  const auto& points = ingress.status().load_balancer().ingress();
  for (int i = 0; i < points.size(); ++i) {
    std::string field = at("status.loadBalancer.ingress", i);
    const std::string& ip = points[i].ip();
    if (!ip.empty() && !is_ip(ip) && std::find(old_ips.begin(), old_ips.end(), ip) == old_ips.end())
      errors.invalid(field + ".ip", quoted(ip), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
    const std::string& hostname = points[i].hostname();
    if (hostname.empty()) continue;
    each(errors, field + ".hostname", hostname, dns1123_subdomain_errors(hostname));
    if (is_ip(hostname)) errors.invalid(field + ".hostname", quoted(hostname), "must be a DNS name, not an IP address");
  }
}

// IsDomainPrefixedPath: "<subdomain>/<path>", as "example.com/ingress-controller".
void check_domain_prefixed_path(FieldErrors& errors, const std::string& field, const std::string& value) {
  auto slash = value.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == value.size())
    return errors.invalid(field, quoted(value), "must be a domain-prefixed path (such as \"acme.io/foo\")");
  std::string host = value.substr(0, slash), path = value.substr(slash + 1);
  each(errors, field, host, dns1123_subdomain_errors(host));
  each(errors, field, path, http_path_errors(path));
}

void check_parameters(FieldErrors& errors, const net::IngressClassParametersReference& p) {
  const std::string field = "spec.parameters";
  if (p.has_api_group()) each(errors, field + ".apiGroup", p.api_group(), dns1123_subdomain_errors(p.api_group()));
  if (p.kind().empty()) errors.required(field + ".kind");
  else each(errors, field + ".kind", p.kind(), path_segment_name_errors(p.kind()));
  if (p.name().empty()) errors.required(field + ".name");
  else each(errors, field + ".name", p.name(), path_segment_name_errors(p.name()));
  if (!p.has_scope()) return errors.required(field + ".scope");
  if (std::find(kParameterScopes.begin(), kParameterScopes.end(), p.scope()) == kParameterScopes.end())
    return errors.unsupported(field + ".scope", p.scope(), kParameterScopes);
  if (p.scope() == "Namespace") {
    if (!p.has_namespace_()) errors.required(field + ".namespace", "`parameters.scope` is set to 'Namespace'");
    else each(errors, field + ".namespace", p.namespace_(), dns1123_label_errors(p.namespace_()));
  }
  if (p.scope() == "Cluster" && p.has_namespace_())
    errors.forbidden(field + ".namespace", "`parameters.scope` is set to 'Cluster'");
}

}  // namespace

void check_ingress(FieldErrors& errors, const net::Ingress& ingress, const net::Ingress* old) {
  const auto& spec = ingress.spec();
  Leniency leniency = leniency_from(old);
  if (spec.rules().empty() && !spec.has_default_backend())
    errors.invalid("spec", "[]networking.IngressRule(nil)", "either `defaultBackend` or `rules` must be specified");
  if (spec.has_default_backend()) check_backend(errors, "spec.defaultBackend", spec.default_backend());
  check_rules(errors, spec, leniency);
  check_tls(errors, spec, leniency);
  if (spec.has_ingress_class_name())
    each(errors, "spec.ingressClassName", spec.ingress_class_name(), dns1123_subdomain_errors(spec.ingress_class_name()));
  if (!old) {
    auto annotation = ingress.metadata().annotations().find(kClassAnnotation);
    if (annotation != ingress.metadata().annotations().end() && spec.has_ingress_class_name() &&
        annotation->second != spec.ingress_class_name())
      errors.invalid("annotations." + kClassAnnotation, quoted(annotation->second),
                     "must match `ingressClassName` when both are specified");
  }
  check_load_balancer_status(errors, ingress, old);
}

void check_ingress_class(FieldErrors& errors, const net::IngressClass& ingress_class, const net::IngressClass* old) {
  const auto& spec = ingress_class.spec();
  if (old && old->spec().controller() != spec.controller())
    errors.invalid("spec.controller", quoted(spec.controller()), "field is immutable");
  if (spec.controller().empty()) {
    errors.required("spec.controller");
  } else {
    if (spec.controller().size() > kMaxControllerLength) errors.too_long("spec.controller", kMaxControllerLength);
    check_domain_prefixed_path(errors, "spec.controller", spec.controller());
  }
  if (spec.has_parameters()) check_parameters(errors, spec.parameters());
}

}  // namespace skiff::apiserver
