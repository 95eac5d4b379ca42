// Discovery of custom resources: their groups in /apis, /apis/<group>, and the resource
// lists of /apis/<group>/<version>, from the registry as it is at the request.
#pragma once

#include <string>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "custom_resource_registry.hpp"

namespace skiff::apiserver {

// Appends an APIGroup per custom group (served versions, the preferred one first) to `groups`.
void add_custom_groups(const CustomResourceRegistry& registry, boost::json::array& groups);
// GET /apis/<group>: the APIGroup document, or null when no CRD serves the group.
boost::json::value custom_group_document(const CustomResourceRegistry& registry, const std::string& group);
// GET /apis/<group>/<version>: the APIResourceList, or null when no CRD serves it.
boost::json::value custom_resource_list(const CustomResourceRegistry& registry, const std::string& group,
                                        const std::string& version);

}  // namespace skiff::apiserver
