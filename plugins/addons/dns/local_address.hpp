// The node-local DNS address: the cluster DNS address (/32) on a local interface, through
// rtnetlink (libmnl), so queries to it from pods and the node are delivered on the node. The
// interface is `lo` by default (every kernel has it; some have no dummy driver); a name that
// does not exist is created as a dummy interface, as NodeLocal DNSCache does.
#pragma once

#include <string>

#include <boost/asio/ip/address_v4.hpp>

namespace skiff::dns {

// Idempotent: the interface made if missing (dummy) and up, the address added. Throws
// std::runtime_error naming the step that failed (not root: no CAP_NET_ADMIN).
void ensure_local_address(const std::string& interface, const boost::asio::ip::address_v4& address);

// Takes the address away again: from `lo`, the address only; any other interface (ours) is
// deleted. Absent is fine.
void remove_local_address(const std::string& interface, const boost::asio::ip::address_v4& address);

}  // namespace skiff::dns
