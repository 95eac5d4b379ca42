// The proxy table's pure parts, without a kernel: names, rendering of service ports, the plan
// a change becomes, address claims and endpoint blocks.
#include <gtest/gtest.h>

#include <linux/netfilter.h>

#include <algorithm>

#include "address_claims.hpp"
#include "block_allocator.hpp"
#include "nft_plan.hpp"
#include "nft_render.hpp"
#include "test_ports.hpp"

namespace {

using namespace skiff;
using namespace skiff::proxy::nft;
using skiff::test::ip;
using proxy::Endpoint;

const Endpoint kA{ip("10.244.1.2"), 8080};
const Endpoint kB{ip("10.244.2.2"), 8080};
const Endpoint kC{ip("10.244.3.2"), 8080};

PortAllocation allocation(std::optional<std::uint32_t> cluster_block = 3, std::optional<std::uint32_t> external_block = {}) {
  return PortAllocation{port_id("default/web:http/TCP"), 7, cluster_block, external_block};
}

std::vector<const Element*> in_set(const PortObjects& objects, SetId set) {
  std::vector<const Element*> found;
  for (const auto& element : objects.elements)
    if (element.key.set == set) found.push_back(&element);
  return found;
}

std::uint32_t range_value(const Element& element) {
  const auto& b = element.key.bytes;
  return std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
}

TEST(NftRender, PortIdsAreStableShortAndDistinct) {
  EXPECT_EQ(port_id("default/web:http/TCP"), "3XMGZEK36WG5K");  // chain names survive restarts and releases
  EXPECT_NE(port_id("default/web:http/TCP"), port_id("default/web:https/TCP"));
  EXPECT_EQ(cluster_chain(port_id("a")).size(), 4u + 13u);
}

// Endpoint i of N owns [i·65536/N, (i+1)·65536/N) of the port's block; the ranges tile it.
TEST(NftRender, RangesTileThePortsBlock) {
  auto port = test::cluster_port("10.96.0.10", 80, {kA, kB, kC});
  auto objects = render_port("default/web:http/TCP", port, allocation(), test::lab_options());
  auto ranges = in_set(objects, SetId::endpoint_ranges);
  ASSERT_EQ(ranges.size(), 6u);
  std::uint32_t block_start = 3 * kBlockWidth;
  EXPECT_EQ(range_value(*ranges[0]), block_start);
  EXPECT_EQ(ranges[0]->endpoint, kA);
  EXPECT_EQ(range_value(*ranges[1]), block_start + 21845);
  EXPECT_TRUE(ranges[1]->key.interval_end);
  EXPECT_EQ(range_value(*ranges[2]), block_start + 21845);
  EXPECT_EQ(ranges[2]->endpoint, kB);
  EXPECT_EQ(range_value(*ranges[5]), block_start + kBlockWidth) << "the last range ends on the block's end";
  for (const auto* range : ranges) EXPECT_EQ(range->key.shard, 3u);
  ASSERT_EQ(objects.chains.size(), 1u);
  EXPECT_EQ(objects.chains[0].rules.back(), Rule(DnatFromRanges{3}));
}

TEST(NftRender, APortWithoutEndpointsIsOnlyRefused) {
  auto port = test::node_port("10.96.0.20", 80, 30081, {});
  port.external_ips = {ip("203.0.113.9")};
  auto objects = render_port("default/idle:http/TCP", port, allocation(std::nullopt), test::lab_options());
  EXPECT_TRUE(objects.chains.empty());
  EXPECT_EQ(in_set(objects, SetId::no_endpoint_services).size(), 2u);
  EXPECT_EQ(in_set(objects, SetId::no_endpoint_nodeports).size(), 1u);
  EXPECT_TRUE(in_set(objects, SetId::service_ips).empty());
}

TEST(NftRender, ExternalTrafficSharesTheClusterBlockOnlyForTheSameEndpoints) {
  auto port = test::node_port("10.96.0.10", 80, 30080, {kA, kB});
  EXPECT_FALSE(needs_external_block(port));
  port.external_local = true;
  port.external_endpoints = {kA};
  EXPECT_TRUE(needs_external_block(port));
  auto objects = render_port("default/web:http/TCP", port, allocation(3, 4), test::lab_options());
  EXPECT_EQ(in_set(objects, SetId::endpoint_ranges).size(), 6u);  // two ranges in block 3, one in block 4
  ASSERT_EQ(objects.chains.size(), 2u);
  EXPECT_EQ(objects.chains[1].rules.back(), Rule(DnatFromRanges{4}));
}

// externalTrafficPolicy Local without a local endpoint: the node's own and pods' traffic goes
// to the cluster chain, outside traffic is dropped.
TEST(NftRender, LocalPolicyWithoutLocalEndpointsDropsOutsideTraffic) {
  auto port = test::node_port("10.96.0.10", 80, 30080, {kB});
  port.external_local = true;
  port.external_endpoints = {};
  auto objects = render_port("default/web:http/TCP", port, allocation(3), test::lab_options());
  ASSERT_EQ(objects.chains.size(), 2u);
  const auto& rules = objects.chains[1].rules;
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[1], Rule(GotoChain{GotoChain::When::source_local, {}, objects.chains[0].name}));
  EXPECT_EQ(rules[3], Rule(Drop{}));
}

// loadBalancerSourceRanges: the LB IP's key in firewall-ips goes to a fw- chain that lets each
// range return and drops the rest; the external IP without ranges is not filtered.
TEST(NftRender, SourceRangesSendTheLoadBalancerIpThroughAFirewallChain) {
  auto port = test::node_port("10.96.0.10", 80, 30080, {kA});
  port.external_ips = {ip("203.0.113.9"), ip("10.213.11.200")};
  auto open = render_port("default/web:http/TCP", port, allocation(), test::lab_options());
  EXPECT_TRUE(in_set(open, SetId::firewall_ips).empty()) << "no ranges: no filter";

  port.firewalled_ips = {ip("10.213.11.200")};
  port.source_ranges = {*sdk::Ipv4Cidr::parse("10.213.11.1/32"), *sdk::Ipv4Cidr::parse("192.168.0.0/16")};
  auto objects = render_port("default/web:http/TCP", port, allocation(), test::lab_options());
  auto firewalled = in_set(objects, SetId::firewall_ips);
  ASSERT_EQ(firewalled.size(), 1u);
  EXPECT_EQ(firewalled[0]->key, service_ip_key(SetId::firewall_ips, ip("10.213.11.200"), proxy::Protocol::tcp, 80));
  std::string chain = firewall_chain(port_id("default/web:http/TCP"));
  EXPECT_EQ(firewalled[0]->target, chain);
  auto fw = std::find_if(objects.chains.begin(), objects.chains.end(), [&](const Chain& c) { return c.name == chain; });
  ASSERT_NE(fw, objects.chains.end());
  EXPECT_EQ(fw->rules, (std::vector<Rule>{ReturnIfSource{port.source_ranges[0]}, ReturnIfSource{port.source_ranges[1]},
                                          Drop{}}));
  EXPECT_EQ(in_set(objects, SetId::service_ips).size(), 3u) << "the addresses are served as before";
}

TEST(NftRender, TheFirewallIsCheckedBeforeDnatOnPreroutingAndOutput) {
  auto base = render_base_chains(test::lab_options());
  std::vector<std::pair<unsigned, int>> hooks;
  for (const auto& chain : base)
    if (chain.hook && chain.rules == std::vector<Rule>{JumpChain{std::string(kFirewallCheckChain)}})
      hooks.emplace_back(chain.hook->number, chain.hook->priority);
  EXPECT_EQ(hooks, (std::vector<std::pair<unsigned, int>>{{NF_INET_PRE_ROUTING, kDstNatPriority - 10},
                                                          {NF_INET_LOCAL_OUT, kDstNatPriority - 10}}));
}

TEST(NftRender, AffinityPicksByRulesNotRanges) {
  auto port = test::cluster_port("10.96.0.53", 53, {kA, kB}, proxy::Protocol::udp);
  port.affinity_seconds = 600;
  EXPECT_FALSE(needs_cluster_block(port));
  auto objects = render_port("default/dns:dns/UDP", port, allocation(std::nullopt), test::lab_options());
  EXPECT_TRUE(in_set(objects, SetId::endpoint_ranges).empty());
  const auto& rules = objects.chains[0].rules;
  ASSERT_EQ(rules.size(), 5u);  // mark, two remembered, two picks
  EXPECT_EQ(rules[1], Rule(DnatRemembered{7, kA, 600}));
  EXPECT_EQ(rules[3], Rule(DnatPicked{2, kA, 7, 600}));
  EXPECT_EQ(rules[4], Rule(DnatPicked{1, kB, 7, 600}));
}

std::size_t messages_for(Plan& plan) {
  NftBatch batch("t", 0x4000);
  plan.write(batch);
  return batch.messages();
}

// Same number of endpoints: one range start replaced; another number: every range of the
// block goes and comes (the kernel refuses a boundary moved inside a range still there).
TEST(NftPlan, EndpointChangesTouchRangesOnly) {
  auto options = test::lab_options();
  auto before = test::cluster_port("10.96.0.10", 80, {kA, kB});
  auto replaced = test::cluster_port("10.96.0.10", 80, {kA, kC});
  auto grown = test::cluster_port("10.96.0.10", 80, {kA, kB, kC});
  std::string key = "default/web:http/TCP";
  Plan replace;
  replace.change_port(key, render_port(key, before, allocation(), options), render_port(key, replaced, allocation(), options));
  EXPECT_EQ(messages_for(replace), 2u);  // delete + add of one element
  Plan grow;
  grow.change_port(key, render_port(key, before, allocation(), options), render_port(key, grown, allocation(), options));
  NftBatch batch("t", 0x4000);
  grow.write(batch);
  EXPECT_EQ(batch.messages(), 2u);
  EXPECT_NE(batch.note(1).find("delete 4 elements"), std::string::npos) << batch.note(1);
  EXPECT_NE(batch.note(2).find("add 6 elements"), std::string::npos) << batch.note(2);
}

TEST(AddressClaims, PortsMaySwapAddressesButNotShareThem) {
  AddressClaims claims;
  auto a = claims_of(test::cluster_port("10.96.0.10", 80, {kA}));
  auto b = claims_of(test::cluster_port("10.96.0.11", 80, {kB}));
  EXPECT_TRUE(claims.claim("a", a).empty());
  EXPECT_TRUE(claims.claim("b", b).empty());
  claims.commit();
  claims.release(a);
  claims.release(b);
  EXPECT_TRUE(claims.claim("a", b).empty());
  EXPECT_TRUE(claims.claim("b", a).empty());
  claims.rollback();
  auto conflicts = claims.claim("c", a);
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0], "10.96.0.10 . tcp . 80 is claimed by both a and c");
}

TEST(BlockAllocator, BlocksAreReusedAndRunOut) {
  BlockAllocator blocks;
  EXPECT_EQ(blocks.take(), 0u);
  EXPECT_EQ(blocks.take(), 1u);
  blocks.give_back(0);
  EXPECT_EQ(blocks.take(), 0u);
  for (std::uint32_t i = 2; i < kBlockCount; ++i) ASSERT_TRUE(blocks.take());
  EXPECT_FALSE(blocks.take());
}

}  // namespace
