// Builds the frame byte by byte in network order (no struct packing to depend on).
#include "arp_frame.hpp"


namespace skiff::vip {
namespace {

struct Writer {
  ArpFrame& frame;
  std::size_t at = 0;
  void u8(std::uint8_t v) { frame[at++] = v; }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void mac(const MacAddress& m) {
    for (auto b : m) u8(b);
  }
};

constexpr MacAddress kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr MacAddress kZero = {0, 0, 0, 0, 0, 0};

}  // namespace

ArpFrame gratuitous_arp(const MacAddress& mac, std::uint32_t ip, ArpOperation operation) {
  ArpFrame frame{};
  Writer w{frame};
  w.mac(kBroadcast);  // Ethernet: to everyone
  w.mac(mac);         // from this interface
  w.u16(0x0806);      // EtherType ARP
  w.u16(1);           // hardware: Ethernet
  w.u16(0x0800);      // protocol: IPv4
  w.u8(6);
  w.u8(4);
  w.u16(static_cast<std::uint16_t>(operation));
  w.mac(mac);
  w.u32(ip);
  w.mac(operation == ArpOperation::Request ? kZero : kBroadcast);
  w.u32(ip);
  return frame;
}

}  // namespace skiff::vip
