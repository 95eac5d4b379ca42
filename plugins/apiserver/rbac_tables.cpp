// The cells kubectl shows for the RBAC kinds (Kubernetes' printRole, printClusterRole,
// printRoleBinding, printClusterRoleBinding).
#include "rbac_tables.hpp"

#include <boost/json.hpp>

#include "skiff/api/rbac/v1/rbac.pb.h"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace rbac = api::rbac::v1;

constexpr const char* kNameDoc = "Name must be unique within a namespace.";
constexpr const char* kCreatedDoc =
    "CreationTimestamp is a timestamp representing the server time when this object was created.";

const std::vector<TableColumn> kRoleColumns = {
    {"Name", "string", 0, kNameDoc},
    {"Created At", "date", 0, kCreatedDoc},
};

const std::vector<TableColumn> kBindingColumns = {
    {"Name", "string", 0, kNameDoc},
    {"Role", "string", 0, "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace."},
    {"Age", "string", 0, kCreatedDoc},
    {"Users", "string", 1, "Users in the roleBinding"},
    {"Groups", "string", 1, "Groups in the roleBinding"},
    {"ServiceAccounts", "string", 1, "ServiceAccounts in the roleBinding"},
};

// Users, groups and service accounts ("namespace/name") each joined with ", ".
template <class Binding>
TableRow binding_row(const Binding& binding) {
  std::string users, groups, accounts;
  auto add = [](std::string& list, const std::string& item) { list += (list.empty() ? "" : ", ") + item; };
  for (const auto& s : binding.subjects()) {
    if (s.kind() == "User") add(users, s.name());
    else if (s.kind() == "Group") add(groups, s.name());
    else if (s.kind() == "ServiceAccount") add(accounts, s.namespace_() + "/" + s.name());
  }
  const auto& meta = binding.metadata();
  return {json::string(meta.name()), json::string(binding.role_ref().kind() + "/" + binding.role_ref().name()),
          json::string(sdk::age_since(meta.creation_timestamp())), json::string(users), json::string(groups),
          json::string(accounts)};
}

}  // namespace

const std::vector<TableColumn>* rbac_columns(const std::string& kind) {
  if (kind == "Role" || kind == "ClusterRole") return &kRoleColumns;
  if (kind == "RoleBinding" || kind == "ClusterRoleBinding") return &kBindingColumns;
  return nullptr;
}

TableRow rbac_row(const std::string& kind, const google::protobuf::Message& object) {
  if (kind == "RoleBinding") return binding_row(static_cast<const rbac::RoleBinding&>(object));
  if (kind == "ClusterRoleBinding") return binding_row(static_cast<const rbac::ClusterRoleBinding&>(object));
  const auto& meta = kind == "Role" ? static_cast<const rbac::Role&>(object).metadata()
                                    : static_cast<const rbac::ClusterRole&>(object).metadata();
  return {json::string(meta.name()), json::string(meta.creation_timestamp())};
}

}  // namespace skiff::apiserver
