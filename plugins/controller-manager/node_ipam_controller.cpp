// Assigning, keeping and freeing node pod CIDRs, and telling a node when none is left.
#include "node_ipam_controller.hpp"

#include <spdlog/logger.h>

#include "network_condition.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::controllers {

namespace {

std::optional<Ipv4Cidr> ipv4_of(const std::string& text) {
  auto parsed = parse_ipv4_cidr(text, HostBits::Mask);
  if (const auto* cidr = std::get_if<Ipv4Cidr>(&parsed)) return *cidr;
  return std::nullopt;
}

}  // namespace

std::string recorded_pod_cidr(const core::Node& node) {
  return node.spec().pod_cidrs().empty() ? node.spec().pod_cidr() : node.spec().pod_cidrs(0);
}

NodeIpamController::NodeIpamController(ControllerContext& context, NodeIpamRange range)
    : Controller(context, "node-ipam-controller"), allocator_(range.cluster, range.node_prefix) {}

void NodeIpamController::register_handlers() {
  context_.informers.nodes().add_handlers(
      [this](const auto& node) {
        occupy_recorded(*node);
        enqueue(key_of(*node));
      },
      [this](const auto& old, const auto& node) {
        if (recorded_pod_cidr(*old) == recorded_pod_cidr(*node)) return;
        occupy_recorded(*node);
        enqueue(key_of(*node));
      },
      [this](const auto& node) { release_deleted(*node); });
}

std::vector<std::string> NodeIpamController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& n : context_.informers.nodes().list()) keys.push_back(key_of(*n));
  return keys;
}

void NodeIpamController::occupy_recorded(const core::Node& node) {
  auto cidr = ipv4_of(recorded_pod_cidr(node));
  if (!cidr) return;
  std::lock_guard lock(mutex_);
  allocator_.occupy(node.metadata().name(), *cidr);  // a clash is reported when the node is synced
}

void NodeIpamController::release_deleted(const core::Node& node) {
  {
    std::lock_guard lock(mutex_);
    allocator_.release(node.metadata().name());
  }
  // A CIDR may be free now: the nodes still waiting for one try again.
  for (const auto& waiting : context_.informers.nodes().list())
    if (recorded_pod_cidr(*waiting).empty()) enqueue(key_of(*waiting));
}

bool NodeIpamController::sync(const std::string& key) {
  auto node = context_.informers.nodes().get("", key);
  if (!node) {  // deleted: its handler freed the CIDR already, unless that event was missed
    std::lock_guard lock(mutex_);
    allocator_.release(key);
    return true;
  }
  std::string recorded = recorded_pod_cidr(*node);
  return recorded.empty() ? assign(*node) : check_recorded(*node, recorded);
}

bool NodeIpamController::check_recorded(const core::Node& node, const std::string& recorded) {
  const std::string& name = node.metadata().name();
  auto cidr = ipv4_of(recorded);
  if (!cidr) {
    events_.record(node, "Warning", "InvalidPodCIDR",
                   "Node " + name + " has podCIDR " + recorded + ", which is not an IPv4 CIDR: node IPAM manages IPv4 only "
                   "and leaves it as it is");
    return true;
  }
  CidrRangeAllocator::ClaimResult claim;
  {
    std::lock_guard lock(mutex_);
    claim = allocator_.occupy(name, *cidr);
  }
  // A podCIDR cannot change once set: a wrong one stays, and the node says why.
  if (claim.outcome == CidrRangeAllocator::Claim::OutOfRange) {
    events_.record(node, "Warning", "PodCIDRNotInClusterCIDR",
                   "Node " + name + " has podCIDR " + cidr->str() + ", outside the cluster CIDR " +
                       allocator_.cluster().str() + ": kept, but routes for the cluster CIDR do not cover its pods");
  } else if (claim.outcome == CidrRangeAllocator::Claim::Taken) {
    events_.record(node, "Warning", "PodCIDRConflict",
                   "Node " + name + " has podCIDR " + cidr->str() + ", which overlaps node " + claim.holder +
                       "'s: kept, but pods on both nodes may get the same addresses; delete one of the two nodes so "
                       "it registers again and gets a free CIDR");
  } else {
    core::Node next = node;
    if (clear_no_cidr_available(next)) context_.api.update(next, "status");
  }
  return true;
}

bool NodeIpamController::assign(const core::Node& node) {
  // Never before the informer has seen every node: it could hand out a taken CIDR.
  if (!context_.informers.nodes().has_synced()) return false;
  std::optional<Ipv4Cidr> cidr;
  {
    std::lock_guard lock(mutex_);
    cidr = allocator_.allocate(node.metadata().name());
  }
  if (!cidr) {
    report_full(node);
    return false;  // retried with back-off; a deleted node queues the waiting ones again
  }
  write_pod_cidr(node.metadata().name(), *cidr);
  return true;
}

void NodeIpamController::write_pod_cidr(const std::string& node, const Ipv4Cidr& cidr) {
  const std::string text = cidr.str();
  try {
    context_.api.patch<core::Node>("", node, "merge",
                                   R"({"spec":{"podCIDR":")" + text + R"(","podCIDRs":[")" + text + R"("]}})");
    context_.log.info("{}: node {} got podCIDR {}", name(), node, text);
  } catch (const sdk::Error& e) {
    // Gone meanwhile, or refused (someone else set a podCIDR first: the retry sees theirs):
    // ours is free again. Anything else (a timeout …) keeps it, in case the write did land.
    if (e.status().code == 404 || e.status().code == 422) {
      std::lock_guard lock(mutex_);
      allocator_.release_if_held(node, cidr);
    }
    if (e.status().code != 404) throw;
  }
}

void NodeIpamController::report_full(const core::Node& node) {
  const std::string& name = node.metadata().name();
  events_.record(node, "Warning", "CIDRNotAvailable", "Node " + name + " status is now: CIDRNotAvailable");
  // The range's shape never changes after start: read without the lock.
  std::string message = "no /" + std::to_string(allocator_.node_prefix()) + " is free in the cluster CIDR " +
                        allocator_.cluster().str() + " (all " + std::to_string(allocator_.capacity()) +
                        " are taken); the node gets one once another node is deleted";
  core::Node next = node;
  if (mark_no_cidr_available(next, message, sdk::now_rfc3339())) context_.api.update(next, "status");
}

}  // namespace skiff::controllers
