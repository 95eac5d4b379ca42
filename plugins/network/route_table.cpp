// RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE dumps, each answered by the kernel's ack.
#include "route_table.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include "skiff/sdk/status.hpp"

namespace skiff::network {

namespace {

[[noreturn]] void fail(const std::string& what, int error) {
  throw sdk::Error(sdk::Status::Internal("netlink: " + what + ": " + std::strerror(error)));
}

nlmsghdr* route_message(char* buffer, std::uint16_t type, std::uint16_t flags, unsigned sequence,
                        unsigned char protocol, const sdk::Ipv4Cidr& destination) {
  nlmsghdr* header = mnl_nlmsg_put_header(buffer);
  header->nlmsg_type = type;
  header->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  header->nlmsg_seq = sequence;
  auto* route = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(header, sizeof(rtmsg)));
  route->rtm_family = AF_INET;
  route->rtm_dst_len = static_cast<unsigned char>(destination.prefix);
  route->rtm_table = RT_TABLE_MAIN;
  route->rtm_protocol = protocol;
  route->rtm_scope = RT_SCOPE_UNIVERSE;
  route->rtm_type = RTN_UNICAST;
  mnl_attr_put_u32(header, RTA_DST, htonl(destination.network));
  return header;
}

struct Dump {
  unsigned char protocol;
  std::map<std::string, std::uint32_t> routes;
};

int on_route_attribute(const nlattr* attribute, void* data) {
  auto** table = static_cast<const nlattr**>(data);
  int type = mnl_attr_get_type(attribute);
  if (mnl_attr_type_valid(attribute, RTA_MAX) >= 0) table[type] = attribute;
  return MNL_CB_OK;
}

int on_route(const nlmsghdr* header, void* data) {
  auto* dump = static_cast<Dump*>(data);
  const auto* route = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(header));
  if (route->rtm_family != AF_INET || route->rtm_table != RT_TABLE_MAIN || route->rtm_protocol != dump->protocol)
    return MNL_CB_OK;
  const nlattr* attributes[RTA_MAX + 1] = {};
  mnl_attr_parse(header, sizeof(*route), on_route_attribute, attributes);
  if (!attributes[RTA_DST] || !attributes[RTA_GATEWAY]) return MNL_CB_OK;
  sdk::Ipv4Cidr destination{ntohl(mnl_attr_get_u32(attributes[RTA_DST])), route->rtm_dst_len};
  dump->routes[destination.str()] = ntohl(mnl_attr_get_u32(attributes[RTA_GATEWAY]));
  return MNL_CB_OK;
}

}  // namespace

RouteTable::RouteTable(unsigned char protocol)
    : protocol_(protocol), sequence_(static_cast<unsigned>(std::time(nullptr))) {
  socket_ = mnl_socket_open(NETLINK_ROUTE);
  if (!socket_) fail("cannot open a route socket", errno);
  if (mnl_socket_bind(socket_, 0, MNL_SOCKET_AUTOPID) < 0) {
    int error = errno;
    mnl_socket_close(socket_);
    fail("cannot bind the route socket", error);
  }
  port_id_ = mnl_socket_get_portid(socket_);
}

RouteTable::~RouteTable() {
  if (socket_) mnl_socket_close(socket_);
}

// Sends one request and reads until the kernel's ack (or error) for it.
void RouteTable::send_and_ack(void* message) {
  auto* header = static_cast<nlmsghdr*>(message);
  if (mnl_socket_sendto(socket_, header, header->nlmsg_len) < 0) fail("send", errno);
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  while (true) {
    ssize_t n = mnl_socket_recvfrom(socket_, buffer.data(), buffer.size());
    if (n < 0) fail("receive", errno);
    int result = mnl_cb_run(buffer.data(), n, header->nlmsg_seq, port_id_, nullptr, nullptr);
    if (result == MNL_CB_ERROR) fail("the kernel refused the route", errno);
    if (result == MNL_CB_STOP) return;
  }
}

void RouteTable::replace(const sdk::Ipv4Cidr& destination, std::uint32_t gateway) {
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* header = route_message(buffer.data(), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, ++sequence_, protocol_,
                                     destination);
  mnl_attr_put_u32(header, RTA_GATEWAY, htonl(gateway));
  send_or_throw(header, "route to " + destination.str() + " via " + sdk::format_ipv4(gateway));
}

void RouteTable::remove(const sdk::Ipv4Cidr& destination) {
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* header = route_message(buffer.data(), RTM_DELROUTE, 0, ++sequence_, protocol_, destination);
  try {
    send_and_ack(header);
  } catch (const sdk::Error&) {
    // Already gone (ESRCH): what removing wanted.
  }
}

void RouteTable::send_or_throw(void* message, const std::string& what) {
  try {
    send_and_ack(message);
  } catch (const sdk::Error& e) {
    throw sdk::Error(sdk::Status::Internal(what + ": " + e.status().message));
  }
}

void RouteTable::replace_unreachable(const sdk::Ipv4Cidr& destination, std::uint32_t metric) {
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* header = route_message(buffer.data(), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, ++sequence_, protocol_,
                                   destination);
  auto* route = static_cast<rtmsg*>(mnl_nlmsg_get_payload(header));
  route->rtm_type = RTN_UNREACHABLE;
  mnl_attr_put_u32(header, RTA_PRIORITY, metric);
  send_or_throw(header, "unreachable route for " + destination.str());
}

void RouteTable::replace_on_device(const sdk::Ipv4Cidr& destination, const std::string& device, std::uint32_t metric) {
  unsigned index = if_nametoindex(device.c_str());
  if (index == 0) fail("route for " + destination.str() + " on " + device + ": no such device", errno);
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* header = route_message(buffer.data(), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, ++sequence_, protocol_,
                                   destination);
  mnl_attr_put_u32(header, RTA_OIF, index);
  mnl_attr_put_u32(header, RTA_PRIORITY, metric);
  send_or_throw(header, "route for " + destination.str() + " on " + device);
}

void RouteTable::remove_with_metric(const sdk::Ipv4Cidr& destination, std::uint32_t metric) {
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* header = route_message(buffer.data(), RTM_DELROUTE, 0, ++sequence_, protocol_, destination);
  auto* route = static_cast<rtmsg*>(mnl_nlmsg_get_payload(header));
  route->rtm_type = RTN_UNSPEC;  // whichever type it is
  mnl_attr_put_u32(header, RTA_PRIORITY, metric);
  try {
    send_and_ack(header);
  } catch (const sdk::Error&) {
    // Already gone (ESRCH): what removing wanted.
  }
}

std::map<std::string, std::uint32_t> RouteTable::ours() {
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* header = mnl_nlmsg_put_header(buffer.data());
  header->nlmsg_type = RTM_GETROUTE;
  header->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  header->nlmsg_seq = ++sequence_;
  auto* route = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(header, sizeof(rtmsg)));
  route->rtm_family = AF_INET;
  if (mnl_socket_sendto(socket_, header, header->nlmsg_len) < 0) fail("send a route dump", errno);
  Dump dump{protocol_, {}};
  while (true) {
    ssize_t n = mnl_socket_recvfrom(socket_, buffer.data(), buffer.size());
    if (n < 0) fail("receive a route dump", errno);
    int result = mnl_cb_run(buffer.data(), n, header->nlmsg_seq, port_id_, on_route, &dump);
    if (result == MNL_CB_ERROR) fail("route dump", errno);
    if (result == MNL_CB_STOP) return dump.routes;
  }
}

}  // namespace skiff::network
