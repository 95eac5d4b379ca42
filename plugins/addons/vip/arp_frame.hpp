// The Ethernet frame of a gratuitous ARP: "IP x is at MAC m", sent to everyone on the LAN so
// that their ARP caches move the address to the master that now holds it.
#pragma once

#include <array>
#include <cstdint>

namespace skiff::vip {

using MacAddress = std::array<std::uint8_t, 6>;
inline constexpr std::size_t kArpFrameSize = 42;  // Ethernet header 14 + ARP for IPv4 28
using ArpFrame = std::array<std::uint8_t, kArpFrameSize>;

// Both kinds are sent, as kube-vip and keepalived do: some hosts update their cache only on a
// request, some only on a reply. Sender and target IP are both the address (RFC 5227's
// announcement), the target MAC is zero for a request and broadcast for a reply.
enum class ArpOperation : std::uint16_t { Request = 1, Reply = 2 };

// `ip` in host byte order.
ArpFrame gratuitous_arp(const MacAddress& mac, std::uint32_t ip, ArpOperation operation);

}  // namespace skiff::vip
