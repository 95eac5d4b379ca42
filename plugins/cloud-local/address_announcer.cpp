// RTM_NEWADDR / RTM_DELADDR for /32 addresses, each answered by the kernel's ack.
#include "address_announcer.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include "skiff/sdk/cidr.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::cloud_local {
namespace {

[[noreturn]] void fail(const std::string& what, int error) {
  throw sdk::Error(sdk::Status::Internal("netlink: " + what + ": " + std::strerror(error)));
}

}  // namespace

AddressAnnouncer::AddressAnnouncer(std::string interface)
    : interface_(std::move(interface)), sequence_(static_cast<unsigned>(std::time(nullptr))) {
  index_ = if_nametoindex(interface_.c_str());
  if (index_ == 0)
    throw sdk::Error(sdk::Status::Invalid("config announce_interface: no interface \"" + interface_ +
                                          "\" on this node (ip link lists them)"));
  socket_ = mnl_socket_open(NETLINK_ROUTE);
  if (!socket_) fail("cannot open a route socket", errno);
  if (mnl_socket_bind(socket_, 0, MNL_SOCKET_AUTOPID) < 0) {
    int error = errno;
    mnl_socket_close(socket_);
    fail("cannot bind the route socket", error);
  }
  port_id_ = mnl_socket_get_portid(socket_);
}

AddressAnnouncer::~AddressAnnouncer() {
  if (socket_) mnl_socket_close(socket_);
}

void AddressAnnouncer::add(std::uint32_t address) { send(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, address, "add"); }

void AddressAnnouncer::remove(std::uint32_t address) {
  try {
    send(RTM_DELADDR, 0, address, "remove");
  } catch (const sdk::Error&) {
    // Already gone (EADDRNOTAVAIL): what removing wanted.
  }
}

void AddressAnnouncer::send(std::uint16_t type, std::uint16_t flags, std::uint32_t address, const char* what) {
  std::lock_guard lock(mutex_);
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* header = mnl_nlmsg_put_header(buffer.data());
  header->nlmsg_type = type;
  header->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  header->nlmsg_seq = ++sequence_;
  auto* message = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(header, sizeof(ifaddrmsg)));
  message->ifa_family = AF_INET;
  message->ifa_prefixlen = 32;
  message->ifa_scope = RT_SCOPE_UNIVERSE;
  message->ifa_index = index_;
  mnl_attr_put_u32(header, IFA_LOCAL, htonl(address));
  mnl_attr_put_u32(header, IFA_ADDRESS, htonl(address));
  std::string name = std::string(what) + " " + sdk::format_ipv4(address) + "/32 on " + interface_;
  if (mnl_socket_sendto(socket_, header, header->nlmsg_len) < 0) fail(name, errno);
  while (true) {
    ssize_t n = mnl_socket_recvfrom(socket_, buffer.data(), buffer.size());
    if (n < 0) fail(name, errno);
    int result = mnl_cb_run(buffer.data(), n, header->nlmsg_seq, port_id_, nullptr, nullptr);
    if (result == MNL_CB_ERROR) fail(name, errno);
    if (result == MNL_CB_STOP) return;
  }
}

}  // namespace skiff::cloud_local
