// Discovery documents and /version, as kubectl 1.20 through 1.33 expect them.
#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace skiff::apiserver {

struct ServerVersion {
  std::string git_version = "v1.33.0";  // the minor steers the kubectl dispatcher (see the README)
};

boost::json::value version_document(const ServerVersion& version);
boost::json::value api_versions_document(const std::string& server_address);  // GET /api
// GET /apis; with_metrics adds metrics.k8s.io (while a metrics provider answers), with_logging
// logging.skiff.io (while the logging addon answers).
boost::json::value api_group_list_document(bool with_metrics = false, bool with_logging = false);
// GET /api/v1 or /apis/<group>/<version>; null when the group-version is unknown.
boost::json::value api_resource_list_document(const std::string& group, const std::string& version);

}  // namespace skiff::apiserver
