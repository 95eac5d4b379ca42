// A ClusterZone and its Responder for tests, with Services and pods made in one line, and the
// answer to a query read back as a Message.
#pragma once

#include <gtest/gtest.h>
#include "knot.hpp"

#include <string>
#include <vector>

#include "cluster_zone.hpp"
#include "dns_messages.hpp"
#include "responder.hpp"

namespace skiff::dns::test {

inline IpAddress ip(const std::string& text) { return boost::asio::ip::make_address(text); }

// cluster.local, TTL 30, negative TTL 5, reverse zones for 10.96.0.0/12, 10.244.0.0/16 and
// fd00:96::/108, ns.dns at 10.96.0.10.
inline ZoneConfig test_zone_config() {
  ZoneConfig config;
  config.reverse_cidrs = {"10.96.0.0/12", "10.244.0.0/16", "fd00:96::/108"};
  config.nameserver_addresses = {ip("10.96.0.10")};
  return config;
}

inline Service cluster_ip_service(const std::string& ns, const std::string& name, std::vector<std::string> ips,
                                  std::vector<ServicePort> ports = {}) {
  Service service;
  service.namespace_ = ns;
  service.name = name;
  for (const auto& text : ips) service.cluster_ips.push_back(ip(text));
  service.ports = std::move(ports);
  return service;
}

inline Service headless_service(const std::string& ns, const std::string& name, std::vector<ServiceEndpoint> endpoints,
                                std::vector<ServicePort> ports = {}) {
  Service service;
  service.namespace_ = ns;
  service.name = name;
  service.headless = true;
  service.endpoints = std::move(endpoints);
  service.ports = std::move(ports);
  return service;
}

inline ServiceEndpoint endpoint(const std::string& address, const std::string& hostname = "", bool ready = true) {
  ServiceEndpoint e;
  e.address = ip(address);
  e.hostname = hostname;
  e.ready = ready;
  return e;
}

inline Pod pod(const std::string& ns, const std::string& name, const std::string& address) {
  Pod p;
  p.namespace_ = ns;
  p.name = name;
  p.ips = {ip(address)};
  return p;
}

struct ZoneFixture {
  explicit ZoneFixture(ZoneConfig config = test_zone_config(), ResponderOptions options = {false, 1232})
      : zone(config), responder(zone, options) {}

  Outcome outcome(const std::string& name, std::uint16_t qtype, const QueryOptions& query = {}, const Client& client = {}) {
    return responder.respond(make_query(name, qtype, query), client);
  }

  // The reply to the query; a failed expectation (and an empty Message) when there is none.
  Message ask(const std::string& name, std::uint16_t qtype, const QueryOptions& query = {}, const Client& client = {}) {
    auto result = outcome(name, qtype, query, client);
    EXPECT_TRUE(result.reply.has_value()) << name << " got no immediate reply";
    if (!result.reply) return {};
    auto message = parse_message(result.reply->message);
    EXPECT_TRUE(message.has_value()) << name << ": the reply does not parse";
    return message.value_or(Message{});
  }

  ClusterZone zone;
  Responder responder;
};

}  // namespace skiff::dns::test
