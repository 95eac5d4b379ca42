// The addon's nftables table: its text, and applied and removed for real in a network namespace
// of the test's own (nft lists what the kernel holds).
#include <gtest/gtest.h>

#include "command.hpp"
#include "needs_root.hpp"
#include "notrack_table.hpp"
#include "private_netns.hpp"

namespace skiff::dns {
namespace {

constexpr const char* kNeedsRoot = "a network namespace and nftables of its own";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

NotrackTable both_parts() {
  NotrackTable table;
  table.local_address = "10.96.0.10";
  table.node_address = "192.168.5.11";
  table.clients = {"10.244.0.0/16", "192.168.5.0/24"};
  return table;
}

// `nft list table ip <name>` where the calling thread is; "" when there is no such table.
std::string listing(const std::string& name = "skiff-dns") {
  auto result = test::run_command({"nft", "list", "table", "ip", name});
  return result.exit_code == 0 ? result.out : "";
}

TEST(DnsNotrackTable, RendersNotrackBothWaysForTheLocalAddress) {
  NotrackTable table;
  table.local_address = "10.96.0.10";
  std::string text = render(table);
  EXPECT_EQ(text.find("table ip skiff-dns\ndelete table ip skiff-dns\n"), 0u) << "replaced in one transaction:\n" << text;
  for (const char* hook : {"prerouting", "output"})
    EXPECT_TRUE(contains(text, std::string("chain ") + hook + " {\n    type filter hook " + hook +
                                   " priority raw; policy accept;\n"
                                   "    ip daddr 10.96.0.10 meta l4proto { tcp, udp } th dport 53 notrack\n"
                                   "    ip saddr 10.96.0.10 meta l4proto { tcp, udp } th sport 53 notrack\n"))
        << hook << ":\n" << text;
  EXPECT_FALSE(contains(text, "chain input")) << "no node address: no client rule";
  EXPECT_FALSE(contains(text, "set clients"));
}

TEST(DnsNotrackTable, RendersTheNodeAddressForClientsOnly) {
  NotrackTable table;
  table.table = "other-dns";
  table.node_address = "192.168.5.11";
  table.clients = {"10.244.0.0/16", "192.168.5.0/24"};
  std::string text = render(table);
  EXPECT_TRUE(contains(text, "table ip other-dns {")) << text;
  EXPECT_FALSE(contains(text, "notrack")) << "no local address: nothing untracked";
  EXPECT_TRUE(contains(text, "elements = { 10.244.0.0/16, 192.168.5.0/24 }")) << text;
  EXPECT_TRUE(contains(text, "ip daddr 192.168.5.11 meta l4proto { tcp, udp } th dport 53 fib saddr type != local "
                             "ip saddr != @clients drop"))
      << text;
  table.clients.clear();
  EXPECT_FALSE(contains(render(table), "elements")) << "an empty set: only the node itself may ask";
}

TEST(DnsNotrackTable, IsAppliedReplacedAndRemovedInTheKernel) {
  SKIFF_DNS_SKIP_UNLESS_ROOT(kNeedsRoot);
  test::in_private_netns([] {
    apply(both_parts());
    std::string listed = listing();
    EXPECT_TRUE(contains(listed, "ip daddr 10.96.0.10 meta l4proto { tcp, udp } th dport 53 notrack")) << listed;
    EXPECT_TRUE(contains(listed, "ip saddr 10.96.0.10 meta l4proto { tcp, udp } th sport 53 notrack")) << listed;
    EXPECT_TRUE(contains(listed, "type filter hook output priority raw; policy accept;")) << listed;
    EXPECT_TRUE(contains(listed, "elements = { 10.244.0.0/16, 192.168.5.0/24 }")) << listed;
    EXPECT_TRUE(contains(listed, "ip daddr 192.168.5.11")) << listed;

    NotrackTable moved = both_parts();
    moved.node_address = "192.168.6.11";
    moved.clients = {"10.244.0.0/16"};
    apply(moved);  // again, changed: replaced whole, nothing left of the first
    listed = listing();
    EXPECT_TRUE(contains(listed, "ip daddr 192.168.6.11")) << listed;
    EXPECT_FALSE(contains(listed, "192.168.5.11")) << listed;
    EXPECT_FALSE(contains(listed, "192.168.5.0/24")) << listed;

    remove_table("skiff-dns");
    EXPECT_EQ(listing(), "");
    remove_table("skiff-dns");  // absent: fine
  });
}

// The node's subnet, cluster_cidr and node_address_clients may overlap (a client range that
// holds the node's subnet, the cluster CIDR listed again): the set takes them all.
TEST(DnsNotrackTable, OverlappingClientRangesAreMerged) {
  SKIFF_DNS_SKIP_UNLESS_ROOT(kNeedsRoot);
  test::in_private_netns([] {
    NotrackTable table = both_parts();
    table.clients = {"192.168.0.0/16", "10.244.0.0/16", "10.244.0.0/16", "192.168.5.0/24"};
    apply(table);
    std::string listed = listing();
    EXPECT_TRUE(contains(listed, "elements = { 10.244.0.0/16, 192.168.0.0/16 }")) << listed;
  });
}

TEST(DnsNotrackTable, ErrorsCarryNftsMessage) {
  SKIFF_DNS_SKIP_UNLESS_ROOT(kNeedsRoot);
  test::in_private_netns([] {
    NotrackTable table = both_parts();
    table.clients = {"10.244.0.0/99"};
    try {
      apply(table);
      FAIL() << "a bad client range was applied";
    } catch (const std::runtime_error& e) {
      EXPECT_TRUE(contains(e.what(), "nftables table ip skiff-dns: ")) << e.what();
      EXPECT_TRUE(contains(e.what(), "Prefix length 99 is invalid")) << e.what();
    }
    EXPECT_EQ(listing(), "") << "one transaction: nothing of it applied";
  });
}

}  // namespace
}  // namespace skiff::dns
