// The served CRDs as OpenAPI (what OpenApiService::set_extra takes): one definition per served
// version, named as Kubernetes names custom kinds (the group reversed: widgets.example.com v1
// Widget → com.example.v1.Widget), holding the version's openAPIV3Schema with apiVersion, kind,
// metadata (ObjectMeta) and x-kubernetes-group-version-kind — so `kubectl explain` reads CRDs.
#pragma once

#include <vector>

#include "custom_resource_registry.hpp"
#include "openapi_model.hpp"

namespace skiff::apiserver {

OpenApiModel openapi_model_of_crds(const std::vector<ServedCustomResourcePtr>& served);

}  // namespace skiff::apiserver
