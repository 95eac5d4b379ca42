// kubectl's tables of PersistentVolumes, PersistentVolumeClaims and StorageClasses, as
// Kubernetes' printers (pkg/printers/internalversion) compute them.
#pragma once

#include <string>
#include <vector>

#include "table_column.hpp"

namespace google::protobuf {
class Message;
}

namespace skiff::apiserver {

// The columns of a storage kind, nullptr for any other kind.
const std::vector<TableColumn>* storage_columns(const std::string& kind);
// The cells of one object of a kind storage_columns knows.
TableRow storage_row(const std::string& kind, const google::protobuf::Message& object);

// GetAccessModesAsString: "RWO,ROX,RWX,RWOP" in that order, each once, whatever the list's order.
std::string access_modes_text(const std::vector<std::string>& modes);

}  // namespace skiff::apiserver
