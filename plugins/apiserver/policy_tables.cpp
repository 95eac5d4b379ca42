// The cells kubectl shows for PodDisruptionBudgets: NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE.
#include "policy_tables.hpp"

#include <boost/json.hpp>

#include "skiff/api/policy/v1/policy.pb.h"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace policy = api::policy::v1;

const std::vector<TableColumn> kBudgetColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Min Available", "string", 0,
     "An eviction is allowed if at least \"minAvailable\" pods selected by \"selector\" will still be available after "
     "the eviction, i.e. even in the absence of the evicted pod."},
    {"Max Unavailable", "string", 0,
     "An eviction is allowed if at most \"maxUnavailable\" pods selected by \"selector\" are unavailable after the "
     "eviction, i.e. even in absence of the evicted pod."},
    {"Allowed Disruptions", "integer", 0, "Number of pod disruptions that are currently allowed."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
};

// "N/A" when unset, as the printer shows a nil IntOrString.
std::string budget_value(bool set, const api::meta::v1::IntOrString& v) {
  if (!set) return "N/A";
  return v.type() == 1 ? v.str_val() : std::to_string(v.int_val());
}

}  // namespace

const std::vector<TableColumn>* policy_columns(const std::string& kind) {
  return kind == "PodDisruptionBudget" ? &kBudgetColumns : nullptr;
}

TableRow policy_row(const std::string&, const google::protobuf::Message& object) {
  const auto& pdb = static_cast<const policy::PodDisruptionBudget&>(object);
  return {json::string(pdb.metadata().name()),
          json::string(budget_value(pdb.spec().has_min_available(), pdb.spec().min_available())),
          json::string(budget_value(pdb.spec().has_max_unavailable(), pdb.spec().max_unavailable())),
          pdb.status().disruptions_allowed(), json::string(sdk::age_since(pdb.metadata().creation_timestamp()))};
}

}  // namespace skiff::apiserver
