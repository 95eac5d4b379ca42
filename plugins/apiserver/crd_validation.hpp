// CustomResourceDefinition defaults and validation, in Kubernetes' words (apiextensions'
// ValidateCustomResourceDefinition, the parts Skiff serves).
#pragma once

#include "api_error.hpp"
#include "skiff/api/apiextensions/v1/apiextensions.pb.h"

namespace skiff::apiserver {

// singular (the kind in lower case), listKind (<kind>List), conversion strategy None.
void default_custom_resource_definition(api::apiextensions::v1::CustomResourceDefinition& crd);

// name = <plural>.<group>, a group with a dot, scope, names, exactly one storage version,
// a schema for every version (an object at its root, patterns that compile), printer column
// and scale paths that parse; group, scope and names.plural never change.
void check_custom_resource_definition(FieldErrors& errors, const api::apiextensions::v1::CustomResourceDefinition& crd,
                                      const api::apiextensions::v1::CustomResourceDefinition* old);

}  // namespace skiff::apiserver
