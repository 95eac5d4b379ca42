// Which service port owns each address . protocol . port and each NodePort: two ports claiming
// one would make the kernel refuse the whole transaction, so they are refused by name first.
// Claims move in two phases (release all, then claim) so ports can swap addresses in one apply;
// a failed apply rolls them back.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nft_layout.hpp"
#include "proxy_state.hpp"

namespace skiff::proxy::nft {

// A port's claims: its service-ips keys and its NodePort key (normalized to those two sets).
std::vector<ElementKey> claims_of(const ServicePort& port);

class AddressClaims {
 public:
  void release(const std::vector<ElementKey>& keys);
  // Claims `keys` for `owner`; returns one sentence per conflict (nothing claimed for those).
  std::vector<std::string> claim(const std::string& owner, const std::vector<ElementKey>& keys);
  void commit() { undo_.clear(); }
  void rollback();
  void clear();

 private:
  std::map<ElementKey, std::string> owners_;
  std::vector<std::pair<ElementKey, std::optional<std::string>>> undo_;  // key, previous owner
};

}  // namespace skiff::proxy::nft
