// The VIP on a veth of a network namespace of the test's own: added and removed idempotently,
// and the gratuitous ARPs reach the other end — where they move a stale ARP cache entry.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "command.hpp"
#include "private_netns.hpp"
#include "vip_interface.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

constexpr std::uint32_t kVip = (10u << 24) | (77u << 16) | 5u;  // 10.77.0.5

std::string ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run_command(argv).both();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string mac_text(const vip::MacAddress& mac) {
  char text[18];
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  return text;
}

// A named namespace for the LAN's other end (ip neigh there shows its ARP cache); deleted after.
struct Neighbour {
  std::string name = "skvip-test-" + std::to_string(getpid());
  Neighbour() { ip({"netns", "add", name}); }
  ~Neighbour() { ip({"netns", "delete", name}); }
};

#define SKIP_UNLESS_ROOT() \
  if (geteuid() != 0) GTEST_SKIP() << "needs root: network namespaces of its own"

TEST(VipInterface, AddAndRemoveAreIdempotent) {
  SKIP_UNLESS_ROOT();
  test::in_private_netns([] {
    ip({"link", "add", "vip0", "type", "veth", "peer", "name", "peer0"});
    ip({"link", "set", "vip0", "up"});
    ip({"addr", "add", "10.77.0.10/24", "dev", "vip0"});
    vip::VipInterface vip("vip0", kVip, 24);
    vip.add();
    vip.add();
    std::string addresses = ip({"-4", "addr", "show", "dev", "vip0"});
    EXPECT_TRUE(contains(addresses, "inet 10.77.0.5/24")) << addresses;
    EXPECT_TRUE(contains(addresses, "inet 10.77.0.10/24")) << "the interface's own address stays: " << addresses;
    vip.remove();
    vip.remove();
    addresses = ip({"-4", "addr", "show", "dev", "vip0"});
    EXPECT_FALSE(contains(addresses, "10.77.0.5")) << addresses;
    EXPECT_TRUE(contains(addresses, "inet 10.77.0.10/24")) << addresses;
  });
}

TEST(VipInterface, AMissingInterfaceIsNamed) {
  SKIP_UNLESS_ROOT();
  test::in_private_netns([] {
    try {
      vip::VipInterface vip("lan9", kVip, 24);
      FAIL() << "no error";
    } catch (const std::exception& e) {
      EXPECT_TRUE(contains(e.what(), "no interface \"lan9\"")) << e.what();
    }
  });
}

TEST(VipInterface, GratuitousArpsReachTheLanAndMoveItsCache) {
  SKIP_UNLESS_ROOT();
  Neighbour neighbour;
  test::in_private_netns([&] {
    ip({"link", "add", "vip0", "type", "veth", "peer", "name", "peer0", "netns", neighbour.name});
    ip({"link", "set", "vip0", "up"});
    ip({"addr", "add", "10.77.0.10/24", "dev", "vip0"});
    ip({"-n", neighbour.name, "link", "set", "peer0", "up"});
    ip({"-n", neighbour.name, "addr", "add", "10.77.0.2/24", "dev", "peer0"});
    // The neighbour still believes the VIP is at the old holder's MAC.
    ip({"-n", neighbour.name, "neigh", "replace", "10.77.0.5", "lladdr", "02:00:00:00:00:99", "dev", "peer0", "nud",
        "stale"});
    vip::VipInterface vip("vip0", kVip, 24);
    vip.add();
    // Captured on vip0 itself: a packet socket sees what the interface sends.
    // ETH_P_ALL: only such taps see frames this host sends.
    int capture = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    ASSERT_GE(capture, 0);
    vip.announce(2, 10ms);
    int seen = 0;
    std::vector<std::uint8_t> buffer(2048);
    pollfd wait{capture, POLLIN, 0};
    while (seen < 4 && poll(&wait, 1, 2000) == 1) {
      sockaddr_ll from{};
      socklen_t length = sizeof from;
      ssize_t n = recvfrom(capture, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &length);
      if (n < 42 || from.sll_pkttype != PACKET_OUTGOING) continue;
      auto request = vip::gratuitous_arp(vip.mac(), kVip, vip::ArpOperation::Request);
      auto reply = vip::gratuitous_arp(vip.mac(), kVip, vip::ArpOperation::Reply);
      if (std::equal(request.begin(), request.end(), buffer.begin()) ||
          std::equal(reply.begin(), reply.end(), buffer.begin()))
        ++seen;
    }
    close(capture);
    EXPECT_EQ(seen, 4) << "two rounds of a request and a reply";
    std::string cache = ip({"-n", neighbour.name, "neigh", "show", "10.77.0.5", "dev", "peer0"});
    EXPECT_TRUE(contains(cache, mac_text(vip.mac()))) << "the neighbour's cache: " << cache;
  });
}

}  // namespace
