// What a request URL names: a discovery document, or a resource (group, version, namespace,
// resource, name, subresource) and the verb the method implies.
#pragma once

#include <string>

#include "http_names.hpp"

namespace skiff::apiserver {

struct RequestInfo {
  bool is_resource = false;
  std::string group;
  std::string version;
  std::string namespace_;
  std::string resource;
  std::string name;
  std::string subresource;
  std::string verb;  // get, list, watch, create, update, patch, delete, deletecollection
};

// Parses /api/v1/…, /apis/<group>/<version>/…; non-resource paths give is_resource = false.
RequestInfo parse_request_info(const HttpRequest& request);

}  // namespace skiff::apiserver
