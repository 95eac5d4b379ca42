// Kubernetes' CRD table (its apiextensions table convertor's defaults).
#include "crd_tables.hpp"

#include <boost/json.hpp>

#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/sdk/object_meta.hpp"

namespace skiff::apiserver {

const std::vector<TableColumn>* crd_columns(const std::string& kind) {
  static const std::vector<TableColumn> columns = {
      {"Name", "string", 0, "Name must be unique within a namespace."},
      {"Created At", "date", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
  };
  return kind == "CustomResourceDefinition" ? &columns : nullptr;
}

TableRow crd_row(const google::protobuf::Message& object) {
  const auto& meta = sdk::meta_of(object);
  return {boost::json::string(meta.name()), boost::json::string(meta.creation_timestamp())};
}

}  // namespace skiff::apiserver
