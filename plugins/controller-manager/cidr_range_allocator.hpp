// The node IPAM range allocator (Kubernetes' CidrSet): the cluster CIDR cut into node-sized
// subnets, which node holds which, and the next free one. Not thread-safe: its controller
// holds a lock around it.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ipv4_cidr.hpp"

namespace skiff::controllers {

// At most 2^16 node subnets, as Kubernetes allows (node_cidr_mask_size - cluster prefix <= 16).
inline constexpr int kMaxNodeSubnetBits = 16;

class CidrRangeAllocator {
 public:
  // `node_prefix` must be longer than the cluster's by 1 to kMaxNodeSubnetBits (throws
  // std::invalid_argument otherwise; node_ipam_config checks this with a friendlier message).
  CidrRangeAllocator(Ipv4Cidr cluster, int node_prefix);

  enum class Claim {
    Held,        // `node` holds it now (or did already)
    OutOfRange,  // not inside the cluster CIDR: not ours to manage
    Taken,       // (part of) it is held by another node: `holder`
  };
  struct ClaimResult {
    Claim outcome;
    std::string holder;
  };
  // Records that `node` has `cidr` (its podCIDR, the record). A CIDR smaller than a node subnet
  // takes its whole subnet; a larger one every subnet it covers. What `node` held before is let go.
  ClaimResult occupy(const std::string& node, const Ipv4Cidr& cidr);
  // What `node` holds, or else the next free subnet after the last one handed out (so a freed
  // one is reused last), now held by `node`; nullopt when every subnet is taken.
  std::optional<Ipv4Cidr> allocate(const std::string& node);
  // Frees what `node` holds, if anything.
  void release(const std::string& node);
  // Frees what `node` holds only if it is `cidr` (a reservation the API refused).
  void release_if_held(const std::string& node, const Ipv4Cidr& cidr);

  std::optional<Ipv4Cidr> held_by(const std::string& node) const;
  std::size_t capacity() const { return used_.size(); }  // in node subnets
  std::size_t used() const { return used_count_; }
  const Ipv4Cidr& cluster() const { return cluster_; }
  int node_prefix() const { return node_prefix_; }

 private:
  struct Slots {
    std::size_t first, last;  // inclusive
  };
  Slots slots_of(const Ipv4Cidr& cidr) const;
  void mark(const Slots& slots, bool used);
  std::string holder_of(const Slots& slots) const;

  Ipv4Cidr cluster_;
  int node_prefix_;
  std::vector<bool> used_;  // one per node subnet
  std::size_t used_count_ = 0;
  std::size_t next_ = 0;                 // where the search for a free subnet starts
  std::map<std::string, Ipv4Cidr> held_;  // by node name
};

}  // namespace skiff::controllers
