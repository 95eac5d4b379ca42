// Kubernetes' Table format (meta.k8s.io/v1) with the columns kubectl users know per type.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "skiff/sdk/resources.hpp"

namespace skiff::apiserver {

struct TableOptions {
  bool include_columns = true;
  std::string include_object = "Metadata";  // Metadata, Object or None
  std::string resource_version;
  std::string continue_token;
  // How a row's whole object is written (includeObject=Object): the request's version of it;
  // unset, the stored version.
  std::function<boost::json::object(const google::protobuf::Message&)> encode;
};

boost::json::object render_table(const sdk::ResourceType& type,
                                 const std::vector<std::shared_ptr<google::protobuf::Message>>& objects,
                                 const TableOptions& options);

}  // namespace skiff::apiserver
