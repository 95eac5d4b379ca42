// The bus subject scheme of DESIGN.md, in one place: skiff.<cluster>.<area>.…
#pragma once

#include <string>
#include <string_view>

namespace skiff::sdk {

// Makes a name safe as one subject token ('.', '*', '>' and spaces would split or match).
std::string subject_token(std::string_view name);

class Subjects {
 public:
  Subjects(std::string_view cluster, std::string_view node);

  const std::string& prefix() const { return prefix_; }  // skiff.<c>
  // The API server's internal API: skiff.<c>.api.<verb>, or once scope_api_to_node() was
  // called (a worker's plugins, whose bus user is the node's), the node's own
  // skiff.<c>.node.<n>.api.<verb>, where the API server applies the Node authorizer.
  std::string api(std::string_view verb) const;
  void scope_api_to_node() { api_scoped_to_node_ = true; }
  bool api_scoped_to_node() const { return api_scoped_to_node_; }
  // The unrestricted subject (the API server serves it; only full bus users may publish).
  std::string cluster_api(std::string_view verb) const;
  // A node's API subject, and the wildcard the API server serves all of them on.
  std::string node_api(std::string_view node, std::string_view verb) const;
  std::string node_api_any(std::string_view verb) const;
  // The node a subject of node_api_any() names, or "" when it is none.
  std::string node_of_api_subject(std::string_view subject) const;
  // The API server's TokenReview (skiff.<c>.api.tokenreview): who a bearer token belongs to.
  // Never node-scoped: a node may ask it (its kubelet authenticates callers with it).
  std::string token_review() const { return cluster_api("tokenreview"); }
  std::string store(std::string_view op) const;
  // skiff.<c>.watch.<group>.<kind>; node-scoped, the kinds a node may not read whole
  // (node_redacted_kind) come from skiff.<c>.nodewatch.<group>.<kind> instead, which the API
  // server fills with the same events, their payload redacted (plugins/apiserver/node_redaction.hpp).
  std::string watch(std::string_view group, std::string_view kind) const;
  std::string node_watch(std::string_view group, std::string_view kind) const;
  // Where a stream (logs, exec output) is published: skiff.<c>.stream.<id>.
  std::string stream(std::string_view id) const;
  // A metrics provider's usage of "nodes" or "pods" (metrics.k8s.io).
  std::string resource_metrics(std::string_view resource) const;
  // A node's runtime service: its default runtime (handler "") or the runtime plugin of one
  // RuntimeClass handler: skiff.<c>.node.<n>.runtime[.<handler>].<op>.
  std::string runtime(std::string_view op, std::string_view handler = "") const { return runtime_on(node_, op, handler); }
  std::string runtime_on(std::string_view node, std::string_view op, std::string_view handler = "") const;
  // The cluster's cloud provider (one per cluster): skiff.<c>.cloudprovider.<op>.
  std::string cloud_provider(std::string_view op) const;
  // Cluster logging (skiff/logging/v1/logging.proto): a container's lines in the log stream,
  // skiff.<c>.logs.<namespace>.<pod>.<pod uid>.<container>; "*" for any of them in a filter.
  // The pod's name is there so that a query by name (deleted pods too) reads only its lines.
  std::string log_lines(std::string_view ns, std::string_view pod, std::string_view pod_uid,
                        std::string_view container) const;
  // The JetStream stream holding them: SKIFF_LOGS_<cluster>.
  std::string log_stream() const;
  // The logging addon's services: skiff.<c>.logging.<op> ("query").
  std::string logging(std::string_view op) const;
  // The dashboard addon's services: skiff.<c>.dashboard.<op> ("asset": a file of the web UI).
  std::string dashboard(std::string_view op) const;
  std::string kubelet_on(std::string_view node, std::string_view op) const;
  // The kernel of this node: status of its plugins.
  std::string kernel_status() const;
  // Published once (data: the node's name) by a node's skiffd that stopped cleanly, just before
  // it leaves the bus; kernel_stopped_any() matches every node's.
  std::string kernel_stopped() const;
  std::string kernel_stopped_any() const;
  // The kernel's Prometheus text: per plugin up, health, restarts.
  std::string kernel_metrics() const;
  // A child skiffd hosting one isolated plugin.
  std::string host_status(std::string_view instance) const;
  // Prometheus text of one plugin's metrics.
  std::string plugin_metrics(std::string_view instance) const;
  // Anything a plugin of this node serves under its own name: skiff.<c>.node.<n>.plugin.<instance>.<op>
  std::string plugin(std::string_view instance, std::string_view op) const;

 private:
  std::string node_prefix(std::string_view node) const;
  std::string prefix_;
  std::string cluster_;
  std::string node_;
  bool api_scoped_to_node_ = false;
};

// Secrets and ConfigMaps: a node reads them whole only through a get its pods justify.
bool node_redacted_kind(std::string_view group, std::string_view kind);

// The name a subject_token() spelled (%2E back to '.').
std::string subject_token_name(std::string_view token);

}  // namespace skiff::sdk
