// getifaddrs: address & netmask → the network each interface is on.
#include "local_networks.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <bit>

namespace skiff::network {

std::vector<std::pair<std::string, sdk::Ipv4Cidr>> local_networks(const std::string& except) {
  std::vector<std::pair<std::string, sdk::Ipv4Cidr>> networks;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return networks;
  for (auto* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || !a->ifa_netmask || a->ifa_addr->sa_family != AF_INET) continue;
    std::string name = a->ifa_name;
    if (name == "lo" || name == except) continue;
    std::uint32_t address = ntohl(reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr.s_addr);
    std::uint32_t mask = ntohl(reinterpret_cast<sockaddr_in*>(a->ifa_netmask)->sin_addr.s_addr);
    networks.emplace_back(name, sdk::Ipv4Cidr{address & mask, std::popcount(mask)});
  }
  freeifaddrs(list);
  return networks;
}

}  // namespace skiff::network
