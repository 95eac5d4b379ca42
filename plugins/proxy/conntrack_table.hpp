// The kernel's conntrack table through conntrack netlink (libnetfilter-conntrack): deletes the
// UDP entries that match filters, in one dump of the table.
#pragma once

#include <cstddef>
#include <vector>

#include "stale_flows.hpp"

struct nfct_handle;

namespace skiff::proxy {

class ConntrackTable {
 public:
  ConntrackTable();  // throws Error naming what failed (no netlink: not root?)
  ~ConntrackTable();
  ConntrackTable(const ConntrackTable&) = delete;
  ConntrackTable& operator=(const ConntrackTable&) = delete;

  // Deletes every IPv4 UDP entry some filter matches; returns how many went.
  std::size_t remove_udp(const std::vector<FlowFilter>& filters);

 private:
  nfct_handle* dump_ = nullptr;
  nfct_handle* destroy_ = nullptr;  // a query may not run inside another's callback
};

}  // namespace skiff::proxy
