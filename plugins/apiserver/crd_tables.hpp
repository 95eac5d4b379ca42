// kubectl's table of CustomResourceDefinitions: NAME and CREATED AT (the timestamp itself, as
// Kubernetes prints it for CRDs).
#pragma once

#include <string>
#include <vector>

#include "table_column.hpp"

namespace google::protobuf {
class Message;
}

namespace skiff::apiserver {

// The columns of CustomResourceDefinition, nullptr for any other kind.
const std::vector<TableColumn>* crd_columns(const std::string& kind);
TableRow crd_row(const google::protobuf::Message& object);

}  // namespace skiff::apiserver
