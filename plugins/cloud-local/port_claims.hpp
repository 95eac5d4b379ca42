// The nodes' own addresses as the load balancer (no pool configured, k3s's default): every
// such Service is answered on every node's address, so two may share them only when their
// ports differ. Which Service claims which port/protocol; the first keeps it.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace skiff::cloud_local {

struct PortClaim {
  int port = 0;
  std::string protocol;  // TCP, UDP, SCTP
  friend auto operator<=>(const PortClaim&, const PortClaim&) = default;
};

class PortClaims {
 public:
  // Claims all of `ports` for `key` (replacing what it claimed before), or none: "" when
  // done, else the message for the Service's Event naming the port and its holder.
  std::string claim(const std::string& key, const std::vector<PortClaim>& ports);
  bool holds(const std::string& key) const { return claimed_.count(key) > 0; }
  void release(const std::string& key);

 private:
  std::map<PortClaim, std::string> holders_;
  std::map<std::string, std::vector<PortClaim>> claimed_;
};

}  // namespace skiff::cloud_local
