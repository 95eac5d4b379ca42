// Node subnets as a bitmap over the cluster CIDR, handed out round-robin as Kubernetes does.
#include "cidr_range_allocator.hpp"

#include <stdexcept>

namespace skiff::controllers {

CidrRangeAllocator::CidrRangeAllocator(Ipv4Cidr cluster, int node_prefix) : cluster_(cluster), node_prefix_(node_prefix) {
  int subnet_bits = node_prefix - cluster.prefix;
  if (subnet_bits < 1 || subnet_bits > kMaxNodeSubnetBits || node_prefix > 32)
    throw std::invalid_argument("node prefix /" + std::to_string(node_prefix) + " does not cut " + cluster.str() +
                                " into 2 to 65536 subnets");
  used_.assign(std::size_t{1} << subnet_bits, false);
}

CidrRangeAllocator::Slots CidrRangeAllocator::slots_of(const Ipv4Cidr& cidr) const {
  int host_bits = 32 - node_prefix_;
  return {(cidr.network - cluster_.network) >> host_bits, (cidr.last() - cluster_.network) >> host_bits};
}

void CidrRangeAllocator::mark(const Slots& slots, bool used) {
  for (std::size_t i = slots.first; i <= slots.last; ++i) {
    if (used_[i] == used) continue;
    used_[i] = used;
    used ? ++used_count_ : --used_count_;
  }
}

std::string CidrRangeAllocator::holder_of(const Slots& slots) const {
  for (const auto& [node, cidr] : held_) {
    Slots theirs = slots_of(cidr);
    if (theirs.first <= slots.last && slots.first <= theirs.last) return node;
  }
  return "";
}

CidrRangeAllocator::ClaimResult CidrRangeAllocator::occupy(const std::string& node, const Ipv4Cidr& cidr) {
  auto held = held_.find(node);
  if (held != held_.end() && held->second == cidr) return {Claim::Held, ""};
  // The node's own podCIDR is the record: a reservation made for it before gives way.
  release(node);
  if (!cluster_.contains(cidr)) return {Claim::OutOfRange, ""};
  Slots slots = slots_of(cidr);
  for (std::size_t i = slots.first; i <= slots.last; ++i)
    if (used_[i]) return {Claim::Taken, holder_of(slots)};
  mark(slots, true);
  held_[node] = cidr;
  return {Claim::Held, ""};
}

std::optional<Ipv4Cidr> CidrRangeAllocator::allocate(const std::string& node) {
  if (auto held = held_by(node)) return held;
  if (used_count_ == used_.size()) return std::nullopt;
  for (std::size_t step = 0; step < used_.size(); ++step) {
    std::size_t slot = (next_ + step) % used_.size();
    if (used_[slot]) continue;
    Ipv4Cidr cidr{cluster_.network + static_cast<std::uint32_t>(slot << (32 - node_prefix_)), node_prefix_};
    mark({slot, slot}, true);
    held_[node] = cidr;
    next_ = (slot + 1) % used_.size();
    return cidr;
  }
  return std::nullopt;
}

void CidrRangeAllocator::release(const std::string& node) {
  auto held = held_.find(node);
  if (held == held_.end()) return;
  mark(slots_of(held->second), false);
  held_.erase(held);
}

void CidrRangeAllocator::release_if_held(const std::string& node, const Ipv4Cidr& cidr) {
  if (held_by(node) == cidr) release(node);
}

std::optional<Ipv4Cidr> CidrRangeAllocator::held_by(const std::string& node) const {
  auto held = held_.find(node);
  if (held == held_.end()) return std::nullopt;
  return held->second;
}

}  // namespace skiff::controllers
