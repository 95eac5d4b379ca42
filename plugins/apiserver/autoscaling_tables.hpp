// kubectl's table of HorizontalPodAutoscalers, as Kubernetes' printer (printHorizontalPodAutoscaler) fills it.
#pragma once

#include <string>
#include <vector>

#include "table_column.hpp"

namespace google::protobuf {
class Message;
}

namespace skiff::apiserver {

// The columns of an autoscaling kind, nullptr for any other kind.
const std::vector<TableColumn>* autoscaling_columns(const std::string& kind);
// The cells of one object of a kind autoscaling_columns knows.
TableRow autoscaling_row(const std::string& kind, const google::protobuf::Message& object);
// The TARGETS cell: "cpu: 45%/50%", "<unknown>" before a metric was read, at most two then "+ N more...".
std::string format_hpa_metrics(const google::protobuf::Message& hpa);

}  // namespace skiff::apiserver
