// Who holds which pool address: never two Services on one, requests only when free, an
// exhausted pool said so, and a restart keeping every holder.
#include <gtest/gtest.h>

#include "pool_assignments.hpp"
#include "skiff/sdk/cidr.hpp"

namespace skiff::cloud_local {
namespace {

std::uint32_t ip(const char* text) { return *sdk::parse_ipv4(text); }

PoolAssignments three() { return PoolAssignments(parse_address_pool({"10.0.0.1-10.0.0.3"})); }

TEST(PoolAssignments, EachServiceGetsTheLowestFreeAddressAndKeepsIt) {
  auto pool = three();
  EXPECT_EQ(pool.assign("ns/a", std::nullopt).address, ip("10.0.0.1"));
  EXPECT_EQ(pool.assign("ns/b", std::nullopt).address, ip("10.0.0.2"));
  EXPECT_EQ(pool.assign("ns/a", std::nullopt).address, ip("10.0.0.1")) << "asked again: the same";
  EXPECT_EQ(pool.release("ns/a"), ip("10.0.0.1"));
  EXPECT_EQ(pool.assign("ns/c", std::nullopt).address, ip("10.0.0.1")) << "released: given again";
}

TEST(PoolAssignments, ARequestedAddressIsGivenOnlyWhenFreeAndInThePool) {
  auto pool = three();
  EXPECT_EQ(pool.assign("ns/a", ip("10.0.0.3")).address, ip("10.0.0.3"));
  auto taken = pool.assign("ns/b", ip("10.0.0.3"));
  EXPECT_FALSE(taken.address);
  EXPECT_EQ(taken.reason, "LoadBalancerIPTaken");
  EXPECT_NE(taken.refusal.find("ns/a"), std::string::npos) << taken.refusal;
  EXPECT_FALSE(pool.held_by("ns/b")) << "refused: holds nothing";
  auto outside = pool.assign("ns/b", ip("10.0.0.9"));
  EXPECT_EQ(outside.reason, "LoadBalancerIPNotInPool");
  EXPECT_EQ(pool.assign("ns/a", ip("10.0.0.2")).address, ip("10.0.0.2")) << "moved to a free one";
  EXPECT_EQ(pool.assign("ns/b", ip("10.0.0.3")).address, ip("10.0.0.3")) << "the old one was released";
}

TEST(PoolAssignments, AnExhaustedPoolRefusesUntilAnAddressIsReleased) {
  auto pool = three();
  for (const char* key : {"ns/a", "ns/b", "ns/c"}) ASSERT_TRUE(pool.assign(key, std::nullopt).address);
  auto refused = pool.assign("ns/d", std::nullopt);
  EXPECT_FALSE(refused.address);
  EXPECT_EQ(refused.reason, "PoolExhausted");
  EXPECT_EQ(pool.free_count(), 0u);
  pool.release("ns/b");
  EXPECT_EQ(pool.assign("ns/d", std::nullopt).address, ip("10.0.0.2"));
}

TEST(PoolAssignments, RestoringKeepsTheFirstHolderAndIgnoresForeignAddresses) {
  auto pool = three();
  EXPECT_TRUE(pool.restore("ns/b", ip("10.0.0.1")));
  EXPECT_FALSE(pool.restore("ns/a", ip("10.0.0.1"))) << "two statuses naming one address: the first keeps it";
  EXPECT_FALSE(pool.restore("ns/c", ip("192.168.1.1"))) << "not of the pool";
  EXPECT_EQ(pool.assign("ns/b", std::nullopt).address, ip("10.0.0.1"));
  EXPECT_EQ(pool.assign("ns/a", std::nullopt).address, ip("10.0.0.2"));
}

}  // namespace
}  // namespace skiff::cloud_local
