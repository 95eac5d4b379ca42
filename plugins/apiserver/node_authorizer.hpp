// Kubernetes' Node authorizer and NodeRestriction admission for the node-scoped bus API
// (skiff.<c>.node.<n>.api.<verb>, which only node <n>'s bus user may publish to): a node
// writes its own Node and Lease and the status of pods bound to it, reads what its pods
// reference, and what the worker profile's plugins (proxy, dns, ingress, storage-local)
// need — and nothing else. Lists and watches of Secrets and ConfigMaps reach a node redacted
// (node_redaction.hpp). See docs/architecture.md.
#pragma once

#include <string>
#include <vector>

#include "api_core.hpp"

namespace skiff::apiserver {

struct NodeRequest {
  std::string verb;  // get, list, history, create, update, patch, delete, bind
  const sdk::ResourceType& type;
  std::string ns;
  std::string name;
  std::string subresource;
  const google::protobuf::Message* object = nullptr;  // create/update: what is written
};

class NodeAuthorizer {
 public:
  explicit NodeAuthorizer(ApiCore& api) : api_(api) {}

  // Throws ApiError 403 naming the node and the object when `node` may not do this.
  void check(const std::string& node, const NodeRequest& request);

 private:
  bool read_allowed(const std::string& node, const NodeRequest& request);
  bool write_allowed(const std::string& node, const NodeRequest& request);
  bool pod_bound_here(const std::string& node, const std::string& ns, const std::string& name);
  // Does a pod bound to the node name this Secret, ConfigMap, PVC or ServiceAccount?
  bool referenced_by_pods_here(const std::string& node, const std::string& kind, const std::string& ns,
                               const std::string& name);
  MessagePtr current(const NodeRequest& request);

  ApiCore& api_;
};

}  // namespace skiff::apiserver
