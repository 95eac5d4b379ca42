// kubectl's tables of DaemonSets, StatefulSets and ControllerRevisions, as Kubernetes'
// printers (pkg/printers/internalversion) compute them.
#pragma once

#include <string>
#include <vector>

#include "table_column.hpp"

namespace google::protobuf {
class Message;
}

namespace skiff::apiserver {

// The columns of one of these kinds, nullptr for any other kind.
const std::vector<TableColumn>* workload_columns(const std::string& kind);
// The cells of one object of a kind workload_columns knows.
TableRow workload_row(const std::string& kind, const google::protobuf::Message& object);

}  // namespace skiff::apiserver
