// Node IPAM's settings: one message per mistake, naming the key and the fix.
#include <gtest/gtest.h>

#include "node_ipam_config.hpp"

namespace {

using namespace skiff::controllers;

std::string error_of(const std::string& cluster, int mask, const std::string& service = "10.96.0.0/12") {
  try {
    checked_node_ipam_range({cluster, mask, service});
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(NodeIpamConfig, TheDefaultsDescribe256NodeRanges) {
  auto range = checked_node_ipam_range({"10.244.0.0/16", 24, "10.96.0.0/12"});
  EXPECT_EQ(range.cluster.str(), "10.244.0.0/16");
  EXPECT_EQ(range.node_prefix, 24);
}

TEST(NodeIpamConfig, ACidrThatIsNotOneNamesItsKey) {
  EXPECT_EQ(error_of("10.244.0.0", 24),
            "config cluster_cidr: '10.244.0.0' is not a CIDR: it lacks the /prefix (write it as 10.244.0.0/16) (node "
            "IPAM hands out IPv4 ranges only)");
  EXPECT_EQ(error_of("fd00:10:244::/56", 64).rfind("config cluster_cidr: 'fd00:10:244::/56' is not an IPv4 CIDR", 0), 0u);
  EXPECT_EQ(error_of("10.244.0.0/16", 24, "10.96.0.0").rfind("config service_cidr: '10.96.0.0' is not a CIDR", 0), 0u);
  EXPECT_EQ(error_of("10.244.1.0/16", 24).rfind("config cluster_cidr: '10.244.1.0/16' has bits set", 0), 0u);
}

TEST(NodeIpamConfig, TheMaskMustCutTheClusterCidrIntoAtMost65536Ranges) {
  EXPECT_EQ(error_of("10.244.0.0/16", 16),
            "config node_cidr_mask_size: 16 must be larger than the prefix of cluster_cidr 10.244.0.0/16, so that each "
            "node gets a part of it (e.g. 24)");
  EXPECT_EQ(error_of("10.244.0.0/24", 20).rfind("config node_cidr_mask_size: 20 must be larger", 0), 0u);
  EXPECT_EQ(error_of("10.0.0.0/8", 25),
            "config node_cidr_mask_size: /25 ranges would cut cluster_cidr 10.0.0.0/8 into more than 65536 node ranges; "
            "use a mask size of at most 24 or a smaller cluster_cidr");
  EXPECT_EQ(error_of("172.0.0.0/8", 24), "");
  EXPECT_EQ(error_of("10.244.0.0/29", 30), "");
}

TEST(NodeIpamConfig, TheClusterCidrMustNotOverlapTheServiceCidr) {
  std::string message = error_of("10.96.0.0/16", 24);
  EXPECT_EQ(message,
            "config cluster_cidr: 10.96.0.0/16 overlaps service_cidr 10.96.0.0/12 (the apiserver's): pod and Service "
            "addresses would clash; choose a cluster_cidr outside it (the default is 10.244.0.0/16), or set "
            "service_cidr to the apiserver's");
  EXPECT_NE(error_of("10.0.0.0/8", 24).find("overlaps service_cidr"), std::string::npos) << "containing it overlaps too";
  EXPECT_EQ(error_of("10.112.0.0/16", 24), "") << "just past 10.96.0.0/12";
}

}  // namespace
