// kubectl's table of PodDisruptionBudgets, as Kubernetes' printer (printPodDisruptionBudget) fills it.
#pragma once

#include <string>
#include <vector>

#include "table_column.hpp"

namespace google::protobuf {
class Message;
}

namespace skiff::apiserver {

// The columns of a policy kind, nullptr for any other kind.
const std::vector<TableColumn>* policy_columns(const std::string& kind);
// The cells of one object of a kind policy_columns knows.
TableRow policy_row(const std::string& kind, const google::protobuf::Message& object);

}  // namespace skiff::apiserver
