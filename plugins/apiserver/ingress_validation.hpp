// Validation of Ingresses and IngressClasses with Kubernetes' messages and field paths
// (pkg/apis/networking/validation): path types and paths, hosts, backends, TLS, class names,
// the load-balancer status, and an IngressClass's controller and parameters.
#pragma once

#include "api_error.hpp"
#include "skiff/api/networking/v1/networking.pb.h"

namespace skiff::apiserver {

// Kubernetes' ValidateIngressCreate (old == nullptr) and ValidateIngressUpdate, plus the
// status checks of ValidateIngressStatusUpdate (the status is empty on create).
void check_ingress(FieldErrors& errors, const api::networking::v1::Ingress& ingress,
                   const api::networking::v1::Ingress* old);

// Kubernetes' ValidateIngressClass (old == nullptr) and ValidateIngressClassUpdate.
void check_ingress_class(FieldErrors& errors, const api::networking::v1::IngressClass& ingress_class,
                         const api::networking::v1::IngressClass* old);

}  // namespace skiff::apiserver
