// Tables of custom objects: NAME, the version's additionalPrinterColumns (or AGE when it has
// none), cells read with their JSONPath and typed as the column says.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "custom_resource_registry.hpp"

namespace skiff::apiserver {

struct CustomTableOptions {
  bool include_columns = true;
  std::string include_object = "Metadata";  // Metadata, Object or None
  std::string resource_version;
  std::string continue_token;
};

// `objects` are the objects as the client reads them (custom_object_to_json).
boost::json::object render_custom_table(const CustomResourceVersion& version,
                                        const std::vector<boost::json::object>& objects,
                                        const CustomTableOptions& options);

// One cell as Kubernetes' CRD table convertor makes it: the first value the path reaches,
// typed by the column (integer, number, boolean, string; date as an age like "5m"); null when
// the path reaches nothing.
boost::json::value custom_cell(const PrinterColumn& column, const boost::json::value& object);

}  // namespace skiff::apiserver
