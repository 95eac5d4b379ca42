#include "skiff/sdk/node_address.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

namespace skiff::sdk {

std::string node_ipv4() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string found;
  for (auto* a = list; a && found.empty(); a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
    std::string name = a->ifa_name;
    // Not the node's own address: loopback, Docker's and CNI's bridges, pods' veths.
    if (name == "lo" || name.rfind("docker", 0) == 0 || name.rfind("veth", 0) == 0 || name.rfind("br-", 0) == 0 ||
        name.rfind("cni", 0) == 0)
      continue;
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, text, sizeof text);
    found = text;
  }
  freeifaddrs(list);
  return found;
}

}  // namespace skiff::sdk
