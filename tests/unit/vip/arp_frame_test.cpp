// The gratuitous ARP frame, byte for byte as tcpdump shows one from kube-vip or keepalived.
#include <gtest/gtest.h>

#include "arp_frame.hpp"

namespace {

using namespace skiff::vip;

const MacAddress kMac = {0x02, 0x42, 0x0a, 0xd5, 0x0f, 0x0a};
constexpr std::uint32_t kVip = (10u << 24) | (213u << 16) | (15u << 8) | 5u;  // 10.213.15.5

TEST(ArpFrame, RequestAnnouncesTheAddressToEveryone) {
  ArpFrame frame = gratuitous_arp(kMac, kVip, ArpOperation::Request);
  const ArpFrame expected = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // to: broadcast
      0x02, 0x42, 0x0a, 0xd5, 0x0f, 0x0a,  // from: the interface
      0x08, 0x06,                          // ARP
      0x00, 0x01, 0x08, 0x00, 6, 4,        // Ethernet, IPv4, address lengths
      0x00, 0x01,                          // request
      0x02, 0x42, 0x0a, 0xd5, 0x0f, 0x0a,  // sender MAC
      10, 213, 15, 5,                      // sender IP: the VIP
      0, 0, 0, 0, 0, 0,                    // target MAC: unknown
      10, 213, 15, 5,                      // target IP: the VIP again (an announcement)
  };
  EXPECT_EQ(frame, expected);
}

TEST(ArpFrame, ReplyIsBroadcastWithTheSameAddresses) {
  ArpFrame frame = gratuitous_arp(kMac, kVip, ArpOperation::Reply);
  EXPECT_EQ(frame[21], 2) << "operation: reply";
  for (int i = 32; i < 38; ++i) EXPECT_EQ(frame[i], 0xff) << "target MAC byte " << i;
  EXPECT_EQ(frame[28], 10);
  EXPECT_EQ(frame[41], 5);
  EXPECT_EQ(frame.size(), 42u);
}

}  // namespace
