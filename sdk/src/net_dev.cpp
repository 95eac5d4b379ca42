// Parses /proc/net/dev: two header lines, then "name: rx fields… tx fields…" per interface.
#include "skiff/sdk/net_dev.hpp"

#include <sstream>
#include <string>

namespace skiff::sdk {

std::vector<runtime::v1::InterfaceStats> parse_net_dev(std::string_view text) {
  std::vector<runtime::v1::InterfaceStats> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;  // the two header lines
    std::string name = line.substr(0, colon);
    name.erase(0, name.find_first_not_of(' '));
    if (name == "lo" || name.empty()) continue;
    // rx: bytes packets errs drop fifo frame compressed multicast; then tx: bytes packets errs …
    std::istringstream fields(line.substr(colon + 1));
    std::uint64_t f[11] = {};
    for (auto& value : f) fields >> value;
    if (!fields) continue;
    runtime::v1::InterfaceStats s;
    s.set_name(name);
    s.set_rx_bytes(f[0]);
    s.set_rx_errors(f[2]);
    s.set_tx_bytes(f[8]);
    s.set_tx_errors(f[10]);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace skiff::sdk
