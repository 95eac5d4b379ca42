#include "skiff/sdk/hollow_nodes.hpp"

#include "skiff/sdk/status.hpp"

namespace skiff::sdk {

std::vector<ConfigKey> hollow_node_keys(const std::string& what) {
  ConfigKey nodes("nodes", ConfigType::Int, "1", what + " (more than one: simulated nodes, e.g. kubelet + runtime-sim)");
  nodes.minimum = "1";
  nodes.maximum = "100000";
  return {
      nodes,
      {"node_prefix", ConfigType::String, "", "with nodes > 1, node names are <node_prefix>-<i> (default: the node's name)"},
  };
}

std::vector<std::string> hollow_node_names(const Context& context) {
  const Config& config = context.config();
  auto nodes = config.get_int("nodes");
  if (nodes < 1) throw Error(Status::Invalid("config nodes: must be at least 1"));
  if (nodes == 1) return {context.node().node};
  std::string prefix = config.has("node_prefix") ? config.get_string("node_prefix") : context.node().node;
  std::vector<std::string> names;
  for (int i = 0; i < nodes; ++i) names.push_back(prefix + "-" + std::to_string(i));
  return names;
}

}  // namespace skiff::sdk
