// rtnetlink messages for the address and, when it is ours, its dummy link: create, up, address, delete.
#include "local_address.hpp"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <vector>

namespace skiff::dns {

namespace {

class Netlink {
 public:
  Netlink() : socket_(mnl_socket_open(NETLINK_ROUTE)) {
    if (!socket_ || mnl_socket_bind(socket_, 0, MNL_SOCKET_AUTOPID) < 0)
      throw std::runtime_error(std::string("rtnetlink socket: ") + std::strerror(errno));
    port_ = mnl_socket_get_portid(socket_);
  }
  ~Netlink() { mnl_socket_close(socket_); }
  Netlink(const Netlink&) = delete;
  Netlink& operator=(const Netlink&) = delete;

  nlmsghdr* message(std::uint16_t type, std::uint16_t flags) {
    buffer_.assign(MNL_SOCKET_BUFFER_SIZE, 0);
    auto* header = mnl_nlmsg_put_header(buffer_.data());
    header->nlmsg_type = type;
    header->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    header->nlmsg_seq = ++sequence_;
    return header;
  }

  // Sends and waits for the kernel's acknowledgement; returns 0 or the errno it answered.
  int send(nlmsghdr* header) {
    if (mnl_socket_sendto(socket_, header, header->nlmsg_len) < 0) return errno;
    std::vector<char> reply(MNL_SOCKET_BUFFER_SIZE);
    auto length = mnl_socket_recvfrom(socket_, reply.data(), reply.size());
    if (length < 0) return errno;
    if (mnl_cb_run(reply.data(), static_cast<size_t>(length), sequence_, port_, nullptr, nullptr) < 0) return errno;
    return 0;
  }

 private:
  mnl_socket* socket_;
  unsigned port_ = 0;
  unsigned sequence_ = static_cast<unsigned>(std::time(nullptr));
  std::vector<char> buffer_;
};

void check(int error, const std::string& what) {
  if (error != 0) throw std::runtime_error(what + ": " + std::strerror(error) + (error == EPERM ? " (run as root)" : ""));
}

void create_link(Netlink& netlink, const std::string& name) {
  auto* header = netlink.message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  auto* info = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(header, sizeof(ifinfomsg)));
  info->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(header, IFLA_IFNAME, name.c_str());
  auto* linkinfo = mnl_attr_nest_start(header, IFLA_LINKINFO);
  mnl_attr_put_strz(header, IFLA_INFO_KIND, "dummy");
  mnl_attr_nest_end(header, linkinfo);
  int error = netlink.send(header);
  if (error == EOPNOTSUPP)
    throw std::runtime_error("creating dummy interface " + name + ": this kernel has no dummy driver; set interface: lo");
  if (error != EEXIST) check(error, "creating dummy interface " + name);
}

void set_up(Netlink& netlink, const std::string& name, unsigned index) {
  auto* header = netlink.message(RTM_NEWLINK, 0);
  auto* info = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(header, sizeof(ifinfomsg)));
  info->ifi_family = AF_UNSPEC;
  info->ifi_index = static_cast<int>(index);
  info->ifi_flags = IFF_UP;
  info->ifi_change = IFF_UP;
  check(netlink.send(header), "setting interface " + name + " up");
}

void change_address(Netlink& netlink, std::uint16_t type, const std::string& name, unsigned index,
                    const boost::asio::ip::address_v4& address) {
  auto* header = netlink.message(type, type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_REPLACE : 0);
  auto* info = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(header, sizeof(ifaddrmsg)));
  info->ifa_family = AF_INET;
  info->ifa_prefixlen = 32;
  info->ifa_scope = RT_SCOPE_UNIVERSE;
  info->ifa_index = index;
  auto bytes = address.to_bytes();
  mnl_attr_put(header, IFA_LOCAL, bytes.size(), bytes.data());
  mnl_attr_put(header, IFA_ADDRESS, bytes.size(), bytes.data());
  int error = netlink.send(header);
  if (type == RTM_DELADDR && error == EADDRNOTAVAIL) return;
  check(error, (type == RTM_NEWADDR ? "adding " : "removing ") + address.to_string() + "/32 on " + name);
}

void delete_link(Netlink& netlink, const std::string& interface) {
  auto* header = netlink.message(RTM_DELLINK, 0);
  auto* info = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(header, sizeof(ifinfomsg)));
  info->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(header, IFLA_IFNAME, interface.c_str());
  int error = netlink.send(header);
  if (error != ENODEV) check(error, "deleting interface " + interface);
}

}  // namespace

void ensure_local_address(const std::string& interface, const boost::asio::ip::address_v4& address) {
  if (interface.empty() || interface.size() >= IFNAMSIZ)
    throw std::runtime_error("interface name \"" + interface + "\" must have 1 to 15 characters");
  Netlink netlink;
  unsigned index = if_nametoindex(interface.c_str());
  if (index == 0) {
    create_link(netlink, interface);
    index = if_nametoindex(interface.c_str());
    if (index == 0) throw std::runtime_error("interface " + interface + " vanished after it was created");
  }
  set_up(netlink, interface, index);
  change_address(netlink, RTM_NEWADDR, interface, index, address);
}

void remove_local_address(const std::string& interface, const boost::asio::ip::address_v4& address) {
  Netlink netlink;
  if (interface != "lo") {
    delete_link(netlink, interface);
    return;
  }
  if (unsigned index = if_nametoindex(interface.c_str())) change_address(netlink, RTM_DELADDR, interface, index, address);
}

}  // namespace skiff::dns
