// Query in, response out: what the server says to one message, with no I/O. Names in our zones
// are answered from the zone; others (and CNAME targets outside) need the upstream first, so
// the answer is then a PendingReply that `complete` turns into the response.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "cluster_zone.hpp"
#include "dns_message.hpp"
#include "forwarder.hpp"

namespace skiff::dns {

struct ResponderOptions {
  bool forwarding = true;           // off: names outside our zones are REFUSED
  std::uint16_t udp_payload = 1232; // what our OPT announces, and the most a UDP reply holds
};

struct Client {
  Transport transport = Transport::Udp;
  std::optional<IpAddress> address;
};

struct Reply {
  std::vector<std::uint8_t> message;
  std::uint16_t qtype = 0;  // 0 when the query had no readable question
  std::uint16_t rcode = 0;
  bool truncated = false;
  bool short_circuited = false;  // the answer is the search path's end, behind a CNAME
};

// A CNAME to write before the upstream's records (ExternalName, or the short circuit's).
struct ChainLink {
  WireName owner;
  WireName target;
  bool owner_is_qname = false;
};

struct PendingReply {
  Query query;
  Transport transport = Transport::Udp;
  std::vector<ChainLink> chain;
  UpstreamQuestion question;
  std::optional<Reply> fallback;  // the short circuit's: what to say if the upstream has nothing
  bool short_circuited = false;
};

struct Outcome {
  std::optional<Reply> reply;          // answer now
  std::optional<PendingReply> pending; // ask upstream, then complete
  // Neither: drop the message (a response, or too short to answer).
};

class Responder {
 public:
  Responder(const ClusterZone& zone, ResponderOptions options);

  Outcome respond(std::span<const std::uint8_t> message, const Client& client) const;
  Reply complete(const PendingReply& pending, const UpstreamReply& upstream) const;

  const ResponderOptions& options() const { return options_; }

 private:
  std::optional<Outcome> refusal(const Query& query, Transport transport) const;
  Outcome answer_locally(Query query, const Client& client) const;
  Reply simple_reply(const Query& query, Transport transport, std::uint16_t rcode) const;

  const ClusterZone& zone_;
  ResponderOptions options_;
};

}  // namespace skiff::dns
