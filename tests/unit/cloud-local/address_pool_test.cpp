// The pool as configured: addresses, ranges and CIDRs into one ordered list, typos refused.
#include <gtest/gtest.h>

#include <stdexcept>

#include "address_pool.hpp"
#include "skiff/sdk/cidr.hpp"

namespace skiff::cloud_local {
namespace {

std::vector<std::string> texts(const AddressPool& pool) {
  std::vector<std::string> out;
  for (auto a : pool.addresses) out.push_back(sdk::format_ipv4(a));
  return out;
}

TEST(AddressPool, RangesAddressesAndCidrsJoinInOrderWithoutRepeats) {
  auto pool = parse_address_pool({"10.0.0.9", "10.0.0.4-10.0.0.6", "10.0.0.5"});
  EXPECT_EQ(texts(pool), (std::vector<std::string>{"10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.9"}));
  EXPECT_TRUE(pool.contains(*sdk::parse_ipv4("10.0.0.5")));
  EXPECT_FALSE(pool.contains(*sdk::parse_ipv4("10.0.0.7")));
}

TEST(AddressPool, ACidrLeavesOutItsNetworkAndBroadcastAddresses) {
  EXPECT_EQ(texts(parse_address_pool({"10.0.0.0/30"})), (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
  EXPECT_EQ(texts(parse_address_pool({"10.0.0.8/32"})), (std::vector<std::string>{"10.0.0.8"}));
}

TEST(AddressPool, WhatIsNotAnAddressIsRefusedByName) {
  for (std::string bad : {"10.0.0", "10.0.0.9-10.0.0.1", "10.0.0.1/33", "10.0.0.1/24", "10.0.0.1-x"}) {
    try {
      parse_address_pool({bad});
      ADD_FAILURE() << bad << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(parse_address_pool({"10.0.0.0/8"}), std::invalid_argument) << "too many addresses";
}

}  // namespace
}  // namespace skiff::cloud_local
