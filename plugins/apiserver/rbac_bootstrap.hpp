// The roles and bindings every cluster starts with (Kubernetes' bootstrap policy, for the
// resources Skiff serves): cluster-admin, admin/edit/view (aggregated from the
// system:aggregate-to-* roles), system:discovery, system:basic-user, system:public-info-viewer,
// and their bindings. Created at start when missing, as Kubernetes' auto-reconcile does.
#pragma once

#include <vector>

#include <spdlog/logger.h>

#include "api_core.hpp"
#include "skiff/api/rbac/v1/rbac.pb.h"

namespace skiff::apiserver {

std::vector<api::rbac::v1::ClusterRole> default_cluster_roles();
std::vector<api::rbac::v1::ClusterRoleBinding> default_cluster_role_bindings();

// Creates each default that does not exist (one already there is left as it is).
void ensure_default_rbac(ApiCore& api, spdlog::logger& log);

}  // namespace skiff::apiserver
