// Makes this machine answer for load balancer addresses on its LAN: each address added as a
// /32 on one interface (ARP then answers for it, and the proxy's DNAT takes the traffic),
// through rtnetlink, as MetalLB's layer-2 mode announces from one node. Addresses it added
// carry no label of their own, so remove() removes only what is asked.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

struct mnl_socket;

namespace skiff::cloud_local {

class AddressAnnouncer {
 public:
  // Throws Error naming the interface when it does not exist or netlink is refused (not root?).
  explicit AddressAnnouncer(std::string interface);
  ~AddressAnnouncer();
  AddressAnnouncer(const AddressAnnouncer&) = delete;
  AddressAnnouncer& operator=(const AddressAnnouncer&) = delete;

  // Both are idempotent: an address already there (or already gone) is fine.
  void add(std::uint32_t address);
  void remove(std::uint32_t address);
  const std::string& interface() const { return interface_; }

 private:
  void send(std::uint16_t type, std::uint16_t flags, std::uint32_t address, const char* what);

  std::string interface_;
  unsigned index_ = 0;
  std::mutex mutex_;
  mnl_socket* socket_ = nullptr;
  unsigned port_id_ = 0;
  unsigned sequence_ = 0;
};

}  // namespace skiff::cloud_local
