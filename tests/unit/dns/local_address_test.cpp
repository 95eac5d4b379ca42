// The node-local DNS address through rtnetlink, for real on the `lo` of a network namespace of
// the test's own: added once however often asked, removed without touching lo's own address.
#include <gtest/gtest.h>

#include "command.hpp"
#include "local_address.hpp"
#include "needs_root.hpp"
#include "private_netns.hpp"

namespace skiff::dns {
namespace {

constexpr const char* kNeedsRoot = "a network namespace of its own";

const auto kDnsAddress = boost::asio::ip::make_address_v4("10.96.0.10");

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run_command(argv).both();
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(DnsLocalAddress, IsAddedOnLoOnceAndLoIsUp) {
  SKIFF_DNS_SKIP_UNLESS_ROOT(kNeedsRoot);
  test::in_private_netns([] {
    ASSERT_TRUE(contains(ip({"link", "show", "lo"}), "state DOWN")) << "a fresh namespace's lo is down";
    ensure_local_address("lo", kDnsAddress);
    ensure_local_address("lo", kDnsAddress);  // again, as after a restart: no error, one address
    std::string addresses = ip({"-4", "addr", "show", "dev", "lo"});
    EXPECT_EQ(count(addresses, "inet 10.96.0.10/32 "), 1u) << addresses;
    EXPECT_TRUE(contains(addresses, "inet 127.0.0.1/8")) << "lo's own address came with it being up: " << addresses;
    EXPECT_TRUE(contains(ip({"link", "show", "lo"}), ",UP")) << ip({"link", "show", "lo"});
    EXPECT_TRUE(contains(ip({"route", "get", "10.96.0.10"}), "local 10.96.0.10 dev lo"))
        << "delivered on this node: " << ip({"route", "get", "10.96.0.10"});
  });
}

TEST(DnsLocalAddress, RemovalTakesOnlyTheAddressAndMayRepeat) {
  SKIFF_DNS_SKIP_UNLESS_ROOT(kNeedsRoot);
  test::in_private_netns([] {
    ensure_local_address("lo", kDnsAddress);
    remove_local_address("lo", kDnsAddress);
    remove_local_address("lo", kDnsAddress);  // already gone: fine
    std::string addresses = ip({"-4", "addr", "show", "dev", "lo"});
    EXPECT_FALSE(contains(addresses, "10.96.0.10")) << addresses;
    EXPECT_TRUE(contains(addresses, "inet 127.0.0.1/8")) << "lo itself stays: " << addresses;
  });
}

// This kernel has no dummy driver (`ip link add x type dummy` fails): the error says what to set.
TEST(DnsLocalAddress, AnInterfaceThatCannotBeMadeIsAClearError) {
  SKIFF_DNS_SKIP_UNLESS_ROOT(kNeedsRoot);
  test::in_private_netns([] {
    if (test::run_command({"ip", "link", "add", "skt-probe", "type", "dummy"}).exit_code == 0)
      GTEST_SKIP() << "this kernel has the dummy driver: the interface would be made";
    try {
      ensure_local_address("skiffdns0", kDnsAddress);
      FAIL() << "an address on an interface that does not exist";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "creating dummy interface skiffdns0: this kernel has no dummy driver; set interface: lo");
    }
    remove_local_address("skiffdns0", kDnsAddress);  // nothing there: fine
  });
}

TEST(DnsLocalAddress, InterfaceNamesTheKernelCannotHoldAreRefused) {
  for (const std::string name : {"", "a-name-too-long-for-linux"}) {
    try {
      ensure_local_address(name, kDnsAddress);
      ADD_FAILURE() << "\"" << name << "\" taken";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), "interface name \"" + name + "\" must have 1 to 15 characters");
    }
  }
}

}  // namespace
}  // namespace skiff::dns
