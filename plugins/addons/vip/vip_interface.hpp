// The address on the master's interface: added and removed through rtnetlink (idempotent),
// announced with gratuitous ARPs on an AF_PACKET socket. Needs CAP_NET_ADMIN and CAP_NET_RAW.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "arp_frame.hpp"

struct mnl_socket;

namespace skiff::vip {

class VipInterface {
 public:
  // Throws Error naming the interface when it does not exist or netlink is refused (not root?).
  VipInterface(std::string interface, std::uint32_t ip, int prefix);
  ~VipInterface();
  VipInterface(const VipInterface&) = delete;
  VipInterface& operator=(const VipInterface&) = delete;

  // An address already there (or already gone) is fine.
  void add();
  void remove();
  // `count` rounds of a gratuitous request and reply, `interval` apart; throws Error.
  void announce(int count, std::chrono::milliseconds interval);
  const MacAddress& mac() const { return mac_; }

 private:
  void send(std::uint16_t type, std::uint16_t flags, const char* what);

  std::string interface_;
  std::uint32_t ip_;
  int prefix_;
  unsigned index_ = 0;
  MacAddress mac_{};
  std::mutex mutex_;
  mnl_socket* socket_ = nullptr;
  unsigned port_id_ = 0;
  unsigned sequence_ = 0;
};

}  // namespace skiff::vip
