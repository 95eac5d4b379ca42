// The Docker containers a test node's pods left: removed before a test (a previous run's) and
// after it, whatever happened — found by the node label the runtime puts on each.
#pragma once

#include <string>

namespace skiff::test {

void remove_node_containers(const std::string& node);

class NodeContainers {
 public:
  explicit NodeContainers(std::string node) : node_(std::move(node)) { remove_node_containers(node_); }
  ~NodeContainers() { remove_node_containers(node_); }
  NodeContainers(const NodeContainers&) = delete;
  NodeContainers& operator=(const NodeContainers&) = delete;

 private:
  std::string node_;
};

}  // namespace skiff::test
