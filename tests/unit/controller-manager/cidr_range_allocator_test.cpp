// The node IPAM range allocator: distinct subnets in order, what nodes already have kept,
// clashes and strays told apart, a full range, and freed subnets reused last.
#include <gtest/gtest.h>

#include <set>

#include "cidr_range_allocator.hpp"

namespace {

using namespace skiff::controllers;
using Claim = CidrRangeAllocator::Claim;

Ipv4Cidr cidr(const std::string& text) { return std::get<Ipv4Cidr>(parse_ipv4_cidr(text)); }

std::string allocated(CidrRangeAllocator& allocator, const std::string& node) {
  auto got = allocator.allocate(node);
  return got ? got->str() : "none";
}

TEST(CidrRangeAllocator, HandsOutDistinctSubnetsInOrder) {
  CidrRangeAllocator allocator(cidr("10.244.0.0/16"), 24);
  EXPECT_EQ(allocator.capacity(), 256u);
  std::set<std::string> seen;
  for (int i = 0; i < 256; ++i) {
    std::string got = allocated(allocator, "node-" + std::to_string(i));
    EXPECT_EQ(got, "10.244." + std::to_string(i) + ".0/24");
    seen.insert(got);
  }
  EXPECT_EQ(seen.size(), 256u);
  EXPECT_EQ(allocator.used(), 256u);
  EXPECT_EQ(allocated(allocator, "one-too-many"), "none");
}

TEST(CidrRangeAllocator, ANodeAskingAgainGetsWhatItHolds) {
  CidrRangeAllocator allocator(cidr("10.244.0.0/16"), 24);
  EXPECT_EQ(allocated(allocator, "a"), "10.244.0.0/24");
  EXPECT_EQ(allocated(allocator, "a"), "10.244.0.0/24");
  EXPECT_EQ(allocator.used(), 1u);
  EXPECT_EQ(allocated(allocator, "b"), "10.244.1.0/24");
}

TEST(CidrRangeAllocator, AFreedSubnetIsReusedLastThenWhenTheRangeIsFull) {
  CidrRangeAllocator allocator(cidr("10.244.0.0/29"), 30);  // two node subnets
  EXPECT_EQ(allocated(allocator, "a"), "10.244.0.0/30");
  EXPECT_EQ(allocated(allocator, "b"), "10.244.0.4/30");
  EXPECT_EQ(allocated(allocator, "c"), "none");
  allocator.release("a");
  EXPECT_EQ(allocator.used(), 1u);
  EXPECT_EQ(allocated(allocator, "c"), "10.244.0.0/30");

  CidrRangeAllocator roomy(cidr("10.244.0.0/16"), 24);
  allocated(roomy, "a");
  allocated(roomy, "b");
  roomy.release("a");
  EXPECT_EQ(allocated(roomy, "c"), "10.244.2.0/24") << "round-robin: the freed 10.244.0.0/24 waits";
}

TEST(CidrRangeAllocator, WhatNodesAlreadyHaveIsKeptAndSkipped) {
  CidrRangeAllocator allocator(cidr("10.244.0.0/16"), 24);
  EXPECT_EQ(allocator.occupy("old", cidr("10.244.0.0/24")).outcome, Claim::Held);
  EXPECT_EQ(allocator.occupy("old", cidr("10.244.0.0/24")).outcome, Claim::Held) << "idempotent";
  EXPECT_EQ(allocator.occupy("older", cidr("10.244.2.0/24")).outcome, Claim::Held);
  EXPECT_EQ(allocated(allocator, "new-1"), "10.244.1.0/24");
  EXPECT_EQ(allocated(allocator, "new-2"), "10.244.3.0/24");
  EXPECT_EQ(allocator.used(), 4u);
}

TEST(CidrRangeAllocator, AClashNamesTheHolderAndStraysAreNotOurs) {
  CidrRangeAllocator allocator(cidr("10.244.0.0/16"), 24);
  allocator.occupy("a", cidr("10.244.5.0/24"));
  auto clash = allocator.occupy("b", cidr("10.244.5.0/24"));
  EXPECT_EQ(clash.outcome, Claim::Taken);
  EXPECT_EQ(clash.holder, "a");
  EXPECT_FALSE(allocator.held_by("b"));
  auto wider = allocator.occupy("c", cidr("10.244.4.0/23"));
  EXPECT_EQ(wider.outcome, Claim::Taken) << "a /23 covering a's /24";
  EXPECT_EQ(wider.holder, "a");
  EXPECT_EQ(allocator.occupy("d", cidr("192.168.0.0/24")).outcome, Claim::OutOfRange);
  EXPECT_EQ(allocator.occupy("e", cidr("10.0.0.0/8")).outcome, Claim::OutOfRange);
  EXPECT_EQ(allocator.used(), 1u);
}

TEST(CidrRangeAllocator, SubnetsOfOtherSizesTakeEveryNodeSubnetTheyTouch) {
  CidrRangeAllocator allocator(cidr("10.244.0.0/16"), 24);
  EXPECT_EQ(allocator.occupy("big", cidr("10.244.0.0/23")).outcome, Claim::Held);
  EXPECT_EQ(allocator.occupy("small", cidr("10.244.2.128/25")).outcome, Claim::Held);
  EXPECT_EQ(allocator.used(), 3u);
  EXPECT_EQ(allocated(allocator, "next"), "10.244.3.0/24");
  allocator.release("big");
  EXPECT_EQ(allocator.used(), 2u);
}

TEST(CidrRangeAllocator, TheNodesRecordReplacesAReservationMadeForIt) {
  CidrRangeAllocator allocator(cidr("10.244.0.0/16"), 24);
  EXPECT_EQ(allocated(allocator, "a"), "10.244.0.0/24");
  // Someone else wrote a's podCIDR first: that is what a has; the reservation is let go.
  EXPECT_EQ(allocator.occupy("a", cidr("10.244.9.0/24")).outcome, Claim::Held);
  EXPECT_EQ(allocator.held_by("a")->str(), "10.244.9.0/24");
  EXPECT_EQ(allocator.used(), 1u);
  allocator.release_if_held("a", cidr("10.244.0.0/24"));
  EXPECT_TRUE(allocator.held_by("a")) << "only a matching reservation is let go";
  allocator.release_if_held("a", cidr("10.244.9.0/24"));
  EXPECT_FALSE(allocator.held_by("a"));
  allocator.release("nobody");  // nothing held: nothing happens
  EXPECT_EQ(allocator.used(), 0u);
}

TEST(CidrRangeAllocator, RefusesANodePrefixThatDoesNotCutTheRange) {
  EXPECT_THROW(CidrRangeAllocator(cidr("10.244.0.0/16"), 16), std::invalid_argument);
  EXPECT_THROW(CidrRangeAllocator(cidr("10.244.0.0/16"), 8), std::invalid_argument);
  EXPECT_THROW(CidrRangeAllocator(cidr("10.0.0.0/8"), 25), std::invalid_argument);
  EXPECT_EQ(CidrRangeAllocator(cidr("10.0.0.0/8"), 24).capacity(), 65536u);
}

}  // namespace
