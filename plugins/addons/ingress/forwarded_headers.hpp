// Headers between hops: hop-by-hop ones removed, X-Forwarded-* and X-Request-Id added to what
// goes upstream.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace skiff::ingress {

struct ClientFacts {
  std::string address;  // the client's IP
  bool tls = false;
  std::uint16_t port = 0;  // the proxy's port the client connected to
};

// Removes Connection, the fields it names, and the other hop-by-hop fields; an Upgrade request
// or 101 answer keeps "Connection: upgrade" and Upgrade. Transfer-Encoding stays: the proxy
// frames the body the same way on the next hop.
void remove_hop_by_hop(boost::beast::http::fields& fields, bool keep_upgrade);

// Appends the client to X-Forwarded-For, sets X-Forwarded-Proto, -Host and -Port, keeps a
// client's X-Request-Id or makes one; returns the request id.
std::string add_forwarded_fields(boost::beast::http::fields& fields, const ClientFacts& client);

// 32 random hex digits.
std::string new_request_id();

// Whether the request asks for a protocol switch (Connection: upgrade and an Upgrade field).
bool asks_for_upgrade(const boost::beast::http::fields& fields);

}  // namespace skiff::ingress
