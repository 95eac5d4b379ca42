// What pod traffic needs from the node's firewall, through libnftables (one batch, applied
// atomically): a table of Skiff's own masquerading pod traffic that leaves the cluster CIDR,
// and — where Docker runs and sets the FORWARD policy to DROP — accept rules for the cluster
// CIDR in Docker's DOCKER-USER chain, the place Docker leaves for them.
#pragma once

#include <string>

#include "skiff/sdk/cidr.hpp"

struct nft_ctx;

namespace skiff::network {

inline constexpr const char* kNftTable = "skiff-network";

class PodNat {
 public:
  PodNat();  // throws Error when libnftables cannot start
  ~PodNat();
  PodNat(const PodNat&) = delete;
  PodNat& operator=(const PodNat&) = delete;

  // Replaces Skiff's table (masquerade pod_cidr → not cluster_cidr) and its DOCKER-USER rules.
  void apply(const sdk::Ipv4Cidr& pod_cidr, const sdk::Ipv4Cidr& cluster_cidr);
  // Removes both (the node is leaving the cluster).
  void remove();
  // The nft listing of Skiff's table ("" when absent), for tests and `skiffd status`.
  std::string table();

 private:
  // Runs nft commands; throws Error with nft's message when `must_succeed`.
  std::string run(const std::string& commands, bool must_succeed = true);
  void remove_docker_user_rules();

  nft_ctx* nft_ = nullptr;
};

}  // namespace skiff::network
