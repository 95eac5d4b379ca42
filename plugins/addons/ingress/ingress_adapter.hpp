// Informer objects (Ingresses, IngressClasses, Services, EndpointSlices, Secrets) turned into the
// library's plain IngressValues; what cannot be resolved is collected per Ingress, never thrown.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ingress_values.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"
#include "skiff/api/networking/v1/networking.pb.h"

namespace skiff::ingress {

inline constexpr const char* kControllerName = "skiff.io/ingress-controller";
inline constexpr const char* kClassAnnotation = "kubernetes.io/ingress.class";
inline constexpr const char* kTlsSecretType = "kubernetes.io/tls";

using ServicePtr = std::shared_ptr<const api::core::v1::Service>;
using SlicePtr = std::shared_ptr<const api::discovery::v1::EndpointSlice>;
using SecretPtr = std::shared_ptr<const api::core::v1::Secret>;
using IngressPtr = std::shared_ptr<const api::networking::v1::Ingress>;
using IngressClassPtr = std::shared_ptr<const api::networking::v1::IngressClass>;

// Where the adapter finds what an Ingress names (the informers' caches, or a test's maps).
struct ObjectLookup {
  std::function<ServicePtr(const std::string& ns, const std::string& name)> service;
  std::function<std::vector<SlicePtr>(const std::string& ns, const std::string& service)> slices;
  std::function<SecretPtr(const std::string& ns, const std::string& name)> secret;
};

// Something wrong with one Ingress: `reason` is an Event reason ("ServiceNotFound" …).
struct IngressProblem {
  std::string reason;
  std::string message;
  friend bool operator==(const IngressProblem&, const IngressProblem&) = default;
  friend auto operator<=>(const IngressProblem&, const IngressProblem&) = default;
};

struct AdaptedIngress {
  IngressValues values;
  std::vector<IngressProblem> problems;
};

// The Ingress with its backends resolved to ready endpoints, its TLS Secrets read and its
// annotations parsed over `defaults`. A backend that cannot be resolved keeps its route with
// no endpoints (the proxy answers 503) and adds a problem.
AdaptedIngress adapt_ingress(const api::networking::v1::Ingress& ingress, const ObjectLookup& lookup,
                             const RouteOptions& defaults);

// `skiff.io/proxy-*` and `skiff.io/ssl-redirect` over `defaults`; a bad value keeps the
// default and adds a problem.
RouteOptions route_options(const google::protobuf::Map<std::string, std::string>& annotations, const RouteOptions& defaults,
                           std::vector<IngressProblem>& problems);

// nginx's size syntax: "0", "1024", "512k", "10m", "1g" (case-insensitive units); nullopt when malformed.
std::optional<std::uint64_t> parse_body_size(const std::string& text);

// Ours when the class annotation says `class_name`, or (without the annotation) when
// spec.ingressClassName names an IngressClass whose controller is kControllerName.
bool is_served(const api::networking::v1::Ingress& ingress, const std::string& class_name,
               const std::function<IngressClassPtr(const std::string&)>& ingress_class);

// Oldest first (creationTimestamp, then namespace/name): the order RouteTable gives precedence by.
void order_oldest_first(std::vector<IngressPtr>& ingresses);

// The Secrets informer's transform: only kubernetes.io/tls Secrets keep their data.
void slim_secret(google::protobuf::Message& secret);

}  // namespace skiff::ingress
