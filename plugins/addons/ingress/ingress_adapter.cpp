// Ingress objects → IngressValues, field by field as the Ingress specification reads them:
// Service port by number or name, then the EndpointSlice port of the Service port's name.
#include "ingress_adapter.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace skiff::ingress {

namespace core = api::core::v1;
namespace discovery = api::discovery::v1;
namespace net = api::networking::v1;

namespace {

constexpr const char* kReadTimeout = "skiff.io/proxy-read-timeout";
constexpr const char* kConnectTimeout = "skiff.io/proxy-connect-timeout";
constexpr const char* kBodySize = "skiff.io/proxy-body-size";
constexpr const char* kSslRedirect = "skiff.io/ssl-redirect";

std::string qualified(const std::string& ns, const std::string& name) { return ns + "/" + name; }

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// A ready endpoint is one the slice says is ready; unknown (unset) counts as ready, as in Kubernetes.
bool is_ready(const discovery::Endpoint& endpoint) { return !endpoint.conditions().has_ready() || endpoint.conditions().ready(); }

// The slice port serving the Service port `name` ("" for an unnamed one); 0 when the slice has none.
std::uint16_t slice_port(const discovery::EndpointSlice& slice, const std::string& name) {
  for (const auto& port : slice.ports())
    if (port.name() == name && port.has_port()) return static_cast<std::uint16_t>(port.port());
  return 0;
}

std::vector<Endpoint> ready_endpoints(const std::vector<SlicePtr>& slices, const std::string& port_name) {
  std::vector<Endpoint> out;
  std::set<std::pair<std::string, std::uint16_t>> seen;  // a pod may sit in two slices while they change
  for (const auto& slice : slices) {
    if (slice->address_type() == "FQDN") continue;
    std::uint16_t port = slice_port(*slice, port_name);
    if (port == 0) continue;
    for (const auto& endpoint : slice->endpoints()) {
      if (!is_ready(endpoint)) continue;
      for (const auto& address : endpoint.addresses())
        if (seen.emplace(address, port).second) out.push_back({address, port});
    }
  }
  return out;
}

const core::ServicePort* find_service_port(const core::Service& service, const net::ServiceBackendPort& wanted) {
  for (const auto& port : service.spec().ports())
    if (wanted.name().empty() ? port.port() == wanted.number() : port.name() == wanted.name()) return &port;
  return nullptr;
}

class Adapter {
 public:
  Adapter(const net::Ingress& ingress, const ObjectLookup& lookup, std::vector<IngressProblem>& problems)
      : ingress_(ingress), ns_(ingress.metadata().namespace_()), lookup_(lookup), problems_(problems) {}

  Backend backend(const net::IngressBackend& source) {
    Backend out;
    out.identity.ingress_namespace = ns_;
    out.identity.ingress_name = ingress_.metadata().name();
    if (!source.has_service()) {
      problem("UnsupportedBackend", "a resource backend (" + source.resource().kind() + " " + source.resource().name() +
                                        ") is not served: give a Service backend");
      return out;
    }
    const auto& wanted = source.service();
    out.identity.service = wanted.name();
    out.identity.service_port = wanted.port().name().empty() ? std::to_string(wanted.port().number()) : wanted.port().name();
    auto service = lookup_.service ? lookup_.service(ns_, wanted.name()) : nullptr;
    if (!service) {
      problem("ServiceNotFound", "Service " + qualified(ns_, wanted.name()) + " not found: its routes answer 503 until it exists");
      return out;
    }
    if (service->spec().type() == "ExternalName") {
      problem("UnsupportedBackend", "Service " + qualified(ns_, wanted.name()) + " is ExternalName: not served (503)");
      return out;
    }
    const core::ServicePort* port = find_service_port(*service, wanted.port());
    if (!port) {
      problem("ServicePortNotFound", "Service " + qualified(ns_, wanted.name()) + " has no port " +
                                         out.identity.service_port + ": its routes answer 503 until it has");
      return out;
    }
    auto slices = lookup_.slices ? lookup_.slices(ns_, wanted.name()) : std::vector<SlicePtr>{};
    out.endpoints = ready_endpoints(slices, port->name());
    return out;
  }

  std::optional<TlsCertificate> certificate(const std::string& secret_name) {
    std::string name = qualified(ns_, secret_name);
    auto secret = lookup_.secret ? lookup_.secret(ns_, secret_name) : nullptr;
    if (!secret) return invalid_secret("TLS Secret " + name + " not found");
    if (secret->type() != kTlsSecretType)
      return invalid_secret("Secret " + name + " is of type \"" + secret->type() + "\", not " + kTlsSecretType);
    auto crt = secret->data().find("tls.crt");
    auto key = secret->data().find("tls.key");
    if (crt == secret->data().end() || key == secret->data().end() || crt->second.empty() || key->second.empty())
      return invalid_secret("TLS Secret " + name + " lacks tls.crt or tls.key");
    if (crt->second.find("-----BEGIN") == std::string::npos || key->second.find("-----BEGIN") == std::string::npos)
      return invalid_secret("TLS Secret " + name + ": tls.crt and tls.key must be PEM");
    return TlsCertificate{crt->second, key->second};
  }

 private:
  std::nullopt_t invalid_secret(const std::string& what) {
    problem("InvalidTLSSecret", what + ": its hosts get the default certificate");
    return std::nullopt;
  }
  void problem(std::string reason, std::string message) {
    IngressProblem p{std::move(reason), std::move(message)};
    if (std::find(problems_.begin(), problems_.end(), p) == problems_.end()) problems_.push_back(std::move(p));
  }

  const net::Ingress& ingress_;
  const std::string& ns_;
  const ObjectLookup& lookup_;
  std::vector<IngressProblem>& problems_;
};

PathType path_type(const std::string& type) {
  if (type == "Exact") return PathType::Exact;
  if (type == "Prefix") return PathType::Prefix;
  return PathType::ImplementationSpecific;
}

std::optional<std::chrono::milliseconds> parse_seconds(const std::string& text) {
  auto value = parse_unsigned(text);
  if (!value || *value == 0 || *value > 86400) return std::nullopt;
  return std::chrono::seconds(*value);
}

void bad_annotation(std::vector<IngressProblem>& problems, const std::string& key, const std::string& value,
                    const std::string& expected) {
  problems.push_back({"InvalidAnnotation", key + ": \"" + value + "\" is not " + expected + "; the default applies"});
}

}  // namespace

std::optional<std::uint64_t> parse_body_size(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t unit = 1;
  std::string_view digits = text;
  switch (std::tolower(static_cast<unsigned char>(text.back()))) {
    case 'k': unit = 1024; break;
    case 'm': unit = 1024 * 1024; break;
    case 'g': unit = 1024ull * 1024 * 1024; break;
    default: break;
  }
  if (unit != 1) digits.remove_suffix(1);
  auto value = parse_unsigned(digits);
  if (!value || *value > (std::uint64_t{1} << 50) / unit) return std::nullopt;
  return *value * unit;
}

RouteOptions route_options(const google::protobuf::Map<std::string, std::string>& annotations, const RouteOptions& defaults,
                           std::vector<IngressProblem>& problems) {
  RouteOptions options = defaults;
  auto find = [&](const char* key) -> const std::string* {
    auto it = annotations.find(key);
    return it == annotations.end() ? nullptr : &it->second;
  };
  if (const auto* value = find(kReadTimeout)) {
    if (auto seconds = parse_seconds(*value)) options.read_timeout = *seconds;
    else bad_annotation(problems, kReadTimeout, *value, "a number of seconds from 1 to 86400");
  }
  if (const auto* value = find(kConnectTimeout)) {
    if (auto seconds = parse_seconds(*value)) options.connect_timeout = *seconds;
    else bad_annotation(problems, kConnectTimeout, *value, "a number of seconds from 1 to 86400");
  }
  if (const auto* value = find(kBodySize)) {
    if (auto size = parse_body_size(*value)) options.max_body_size = *size;
    else bad_annotation(problems, kBodySize, *value, "a size such as \"0\" (no limit), \"512k\", \"10m\" or \"1g\"");
  }
  if (const auto* value = find(kSslRedirect)) {
    if (*value == "true" || *value == "false") options.ssl_redirect = *value == "true";
    else bad_annotation(problems, kSslRedirect, *value, "\"true\" or \"false\"");
  }
  return options;
}

AdaptedIngress adapt_ingress(const net::Ingress& ingress, const ObjectLookup& lookup, const RouteOptions& defaults) {
  AdaptedIngress out;
  auto& values = out.values;
  values.namespace_name = ingress.metadata().namespace_();
  values.name = ingress.metadata().name();
  values.options = route_options(ingress.metadata().annotations(), defaults, out.problems);
  Adapter adapter(ingress, lookup, out.problems);
  const auto& spec = ingress.spec();
  if (spec.has_default_backend()) values.default_backend = adapter.backend(spec.default_backend());
  for (const auto& rule : spec.rules()) {
    IngressRule converted;
    converted.host = rule.host();
    for (const auto& path : rule.http().paths())
      converted.paths.push_back({path.path().empty() ? "/" : path.path(), path_type(path.path_type()), adapter.backend(path.backend())});
    values.rules.push_back(std::move(converted));
  }
  for (const auto& tls : spec.tls()) {
    if (tls.secret_name().empty()) continue;  // its hosts get the default certificate, as the spec allows
    if (auto certificate = adapter.certificate(tls.secret_name()))
      values.tls.push_back({{tls.hosts().begin(), tls.hosts().end()}, std::move(*certificate)});
  }
  return out;
}

bool is_served(const net::Ingress& ingress, const std::string& class_name,
               const std::function<IngressClassPtr(const std::string&)>& ingress_class) {
  const auto& annotations = ingress.metadata().annotations();
  if (auto it = annotations.find(kClassAnnotation); it != annotations.end()) return it->second == class_name;
  if (!ingress.spec().has_ingress_class_name()) return false;
  auto found = ingress_class ? ingress_class(ingress.spec().ingress_class_name()) : nullptr;
  return found && found->spec().controller() == kControllerName;
}

void order_oldest_first(std::vector<IngressPtr>& ingresses) {
  auto key = [](const IngressPtr& i) {
    const auto& m = i->metadata();
    return std::tie(m.creation_timestamp(), m.namespace_(), m.name());
  };
  std::sort(ingresses.begin(), ingresses.end(), [&](const IngressPtr& a, const IngressPtr& b) { return key(a) < key(b); });
}

void slim_secret(google::protobuf::Message& message) {
  auto& secret = static_cast<core::Secret&>(message);
  if (secret.type() == kTlsSecretType) return;
  secret.clear_data();
  secret.clear_string_data();
}

}  // namespace skiff::ingress
