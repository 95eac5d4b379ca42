// kubectl's tables of roles, clusterroles, rolebindings and clusterrolebindings, as Kubernetes'
// printers fill them (NAME CREATED AT; NAME ROLE AGE, with USERS GROUPS SERVICEACCOUNTS in -o wide).
#pragma once

#include <string>
#include <vector>

#include "table_column.hpp"

namespace google::protobuf {
class Message;
}

namespace skiff::apiserver {

// The columns of an RBAC kind, nullptr for any other kind.
const std::vector<TableColumn>* rbac_columns(const std::string& kind);
// The cells of one object of a kind rbac_columns knows.
TableRow rbac_row(const std::string& kind, const google::protobuf::Message& object);

}  // namespace skiff::apiserver
