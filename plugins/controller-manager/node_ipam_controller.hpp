// nodeipam (Kubernetes' range allocator): gives every Node a spec.podCIDR (and podCIDRs) from
// the cluster CIDR. The Nodes are the record: what is taken is rebuilt from their podCIDRs as
// the informer sees them, so a restart neither hands a CIDR out twice nor loses one; a node's
// CIDR is free again once the node is deleted. A full range earns the node a CIDRNotAvailable
// event and NetworkUnavailable=True (NoCIDRAvailable) until a CIDR frees up.
#pragma once

#include <mutex>

#include "cidr_range_allocator.hpp"
#include "controller.hpp"
#include "node_ipam_config.hpp"

namespace skiff::controllers {

class NodeIpamController final : public Controller {
 public:
  NodeIpamController(ControllerContext& context, NodeIpamRange range);
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  // Informer handlers: keep the taken set in step with every Node, leader or not.
  void occupy_recorded(const core::Node& node);
  void release_deleted(const core::Node& node);
  // A node with a podCIDR keeps it; problems with it are reported, never silently fixed.
  bool check_recorded(const core::Node& node, const std::string& recorded);
  // A node without one gets the next free CIDR, or is told there is none.
  bool assign(const core::Node& node);
  void write_pod_cidr(const std::string& node, const Ipv4Cidr& cidr);
  void report_full(const core::Node& node);

  std::mutex mutex_;
  CidrRangeAllocator allocator_;
};

// The podCIDR a Node has: podCIDRs[0], else podCIDR ("" when none).
std::string recorded_pod_cidr(const core::Node& node);

}  // namespace skiff::controllers
