// The node-local DNS address: a dummy interface carrying the cluster DNS address (/32), made
// through rtnetlink (libmnl), so queries to it from pods and the node are delivered locally.
#pragma once

#include <string>

#include <boost/asio/ip/address_v4.hpp>

namespace skiff::dns {

// Creates the interface if missing, sets it up and gives it `address`/32 (idempotent).
// Throws std::runtime_error naming the step that failed (not root: no CAP_NET_ADMIN).
void ensure_dummy_address(const std::string& interface, const boost::asio::ip::address_v4& address);

// Deletes the interface and so its addresses; absent is fine.
void remove_dummy_link(const std::string& interface);

}  // namespace skiff::dns
