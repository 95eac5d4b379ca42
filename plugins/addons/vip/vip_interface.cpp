// RTM_NEWADDR / RTM_DELADDR with the VIP's prefix, each answered by the kernel's ack; the
// MAC from SIOCGIFHWADDR; gratuitous ARPs as raw Ethernet frames.
#include "vip_interface.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>
#include <vector>

#include "skiff/sdk/cidr.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::vip {
namespace {

[[noreturn]] void fail(const std::string& what, int error) {
  throw sdk::Error(sdk::Status::Internal(what + ": " + std::strerror(error)));
}

MacAddress interface_mac(const std::string& interface) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("cannot open a socket to read " + interface + "'s MAC", errno);
  ifreq request{};
  std::strncpy(request.ifr_name, interface.c_str(), IFNAMSIZ - 1);
  int result = ioctl(fd, SIOCGIFHWADDR, &request);
  int error = errno;
  close(fd);
  if (result != 0) fail("cannot read the MAC of " + interface, error);
  MacAddress mac{};
  std::memcpy(mac.data(), request.ifr_hwaddr.sa_data, mac.size());
  return mac;
}

}  // namespace

VipInterface::VipInterface(std::string interface, std::uint32_t ip, int prefix)
    : interface_(std::move(interface)), ip_(ip), prefix_(prefix), sequence_(static_cast<unsigned>(std::time(nullptr))) {
  index_ = if_nametoindex(interface_.c_str());
  if (index_ == 0)
    throw sdk::Error(sdk::Status::Invalid("config interface: no interface \"" + interface_ +
                                          "\" on this node (ip link lists them)"));
  mac_ = interface_mac(interface_);
  socket_ = mnl_socket_open(NETLINK_ROUTE);
  if (!socket_) fail("netlink: cannot open a route socket", errno);
  if (mnl_socket_bind(socket_, 0, MNL_SOCKET_AUTOPID) < 0) {
    int error = errno;
    mnl_socket_close(socket_);
    fail("netlink: cannot bind the route socket", error);
  }
  port_id_ = mnl_socket_get_portid(socket_);
}

VipInterface::~VipInterface() {
  if (socket_) mnl_socket_close(socket_);
}

void VipInterface::add() { send(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, "add"); }

void VipInterface::remove() {
  try {
    send(RTM_DELADDR, 0, "remove");
  } catch (const sdk::Error&) {
    // Already gone (EADDRNOTAVAIL): what removing wanted.
  }
}

void VipInterface::send(std::uint16_t type, std::uint16_t flags, const char* what) {
  std::lock_guard lock(mutex_);
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* header = mnl_nlmsg_put_header(buffer.data());
  header->nlmsg_type = type;
  header->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  header->nlmsg_seq = ++sequence_;
  auto* message = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(header, sizeof(ifaddrmsg)));
  message->ifa_family = AF_INET;
  message->ifa_prefixlen = static_cast<unsigned char>(prefix_);
  message->ifa_scope = RT_SCOPE_UNIVERSE;
  message->ifa_index = index_;
  mnl_attr_put_u32(header, IFA_LOCAL, htonl(ip_));
  mnl_attr_put_u32(header, IFA_ADDRESS, htonl(ip_));
  std::string name = "netlink: " + std::string(what) + " " + sdk::format_ipv4(ip_) + "/" + std::to_string(prefix_) +
                     " on " + interface_;
  if (mnl_socket_sendto(socket_, header, header->nlmsg_len) < 0) fail(name, errno);
  while (true) {
    ssize_t n = mnl_socket_recvfrom(socket_, buffer.data(), buffer.size());
    if (n < 0) fail(name, errno);
    int result = mnl_cb_run(buffer.data(), n, header->nlmsg_seq, port_id_, nullptr, nullptr);
    if (result == MNL_CB_ERROR) fail(name, errno);
    if (result == MNL_CB_STOP) return;
  }
}

void VipInterface::announce(int count, std::chrono::milliseconds interval) {
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ARP));
  if (fd < 0) fail("cannot open a packet socket for gratuitous ARP on " + interface_ + " (needs CAP_NET_RAW)", errno);
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_ARP);
  to.sll_ifindex = static_cast<int>(index_);
  to.sll_halen = ETH_ALEN;
  std::memset(to.sll_addr, 0xff, ETH_ALEN);
  int error = 0;
  for (int round = 0; round < count && error == 0; ++round) {
    if (round > 0) std::this_thread::sleep_for(interval);  // spacing the announcements, as keepalived does
    for (auto operation : {ArpOperation::Request, ArpOperation::Reply}) {
      ArpFrame frame = gratuitous_arp(mac_, ip_, operation);
      if (sendto(fd, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) error = errno;
    }
  }
  close(fd);
  if (error != 0) fail("gratuitous ARP for " + sdk::format_ipv4(ip_) + " on " + interface_, error);
}

}  // namespace skiff::vip
