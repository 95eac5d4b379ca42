// getifaddrs: the interface carrying the address says its prefix length.
#include "local_subnet.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <bit>

namespace skiff::dns {

std::optional<std::string> local_subnet_of(const std::string& address) {
  in_addr wanted{};
  if (inet_pton(AF_INET, address.c_str(), &wanted) != 1) return std::nullopt;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return std::nullopt;
  std::optional<std::string> subnet;
  for (auto* entry = list; entry && !subnet; entry = entry->ifa_next) {
    if (!entry->ifa_addr || entry->ifa_addr->sa_family != AF_INET || !entry->ifa_netmask) continue;
    auto ip = reinterpret_cast<sockaddr_in*>(entry->ifa_addr)->sin_addr.s_addr;
    if (ip != wanted.s_addr) continue;
    auto mask = reinterpret_cast<sockaddr_in*>(entry->ifa_netmask)->sin_addr.s_addr;
    in_addr network{ip & mask};
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &network, text, sizeof text);
    subnet = std::string(text) + "/" + std::to_string(std::popcount(ntohl(mask)));
  }
  freeifaddrs(list);
  return subnet;
}

}  // namespace skiff::dns
