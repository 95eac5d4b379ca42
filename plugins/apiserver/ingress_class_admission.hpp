// Kubernetes' DefaultIngressClass admission: an Ingress created with no class (neither
// spec.ingressClassName nor the kubernetes.io/ingress.class annotation) gets the IngressClass
// annotated ingressclass.kubernetes.io/is-default-class: "true".
#pragma once

#include <functional>
#include <vector>

#include "skiff/api/networking/v1/networking.pb.h"

namespace skiff::apiserver {

using IngressClassLister = std::function<std::vector<api::networking::v1::IngressClass>()>;

// Sets spec.ingressClassName when exactly one class is the default; leaves it unset with none.
// Two or more defaults: ApiError 403, as Kubernetes refuses the Ingress then. `list_classes` is
// called only when the Ingress has no class of its own.
void admit_default_ingress_class(api::networking::v1::Ingress& ingress, const IngressClassLister& list_classes);

}  // namespace skiff::apiserver
