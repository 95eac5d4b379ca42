// Thousands of random and mutated messages: the responder never crashes or reads out of bounds
// (run it under the asan preset to see the latter), and what it sends back is a well-formed
// response to the same ID, FORMERR when the query could not be read — or nothing at all.
#include <gtest/gtest.h>

#include <random>

#include "zone_fixture.hpp"

namespace skiff::dns::test {
namespace {

class DnsFuzz : public ::testing::Test {
 protected:
  DnsFuzz() : f(test_zone_config(), {true, 1232}) {
    f.zone.upsert_service(cluster_ip_service("shop", "web", {"10.96.0.12"}, {{"http", PortProtocol::TCP, 80}}));
    f.zone.upsert_service(headless_service("shop", "db", {endpoint("10.244.1.5", "db-0"), endpoint("10.244.1.6")}));
    f.zone.upsert_pod(pod("shop", "client", "10.244.1.5"));
    seeds = {make_query("web.shop.svc.cluster.local", KNOT_RRTYPE_A),
             make_query("_http._tcp.web.shop.svc.cluster.local", KNOT_RRTYPE_SRV, {.edns = true}),
             make_query("12.0.96.10.in-addr.arpa", KNOT_RRTYPE_PTR, {.edns = true, .dnssec_ok = true}),
             make_query("api.example.com.shop.svc.cluster.local", KNOT_RRTYPE_AAAA),
             make_query("db.shop.svc.cluster.local", KNOT_RRTYPE_ANY, {.edns = true, .payload = 512})};
  }

  // Feeds one message through; returns whether it was answered. Fails the test on a reply that
  // is not a response to it.
  bool feed(const std::vector<std::uint8_t>& message, Transport transport) {
    auto outcome = f.responder.respond(message, {transport, ip("10.244.1.5")});
    if (outcome.pending) {
      // Whatever the upstream says, or fails to say, must also complete into a response.
      auto reply = f.responder.complete(*outcome.pending, UpstreamReply{UpstreamReply::Status::Answered, message, 3, false});
      check(message, reply.message, transport);
      check(message, f.responder.complete(*outcome.pending, UpstreamReply{}).message, transport);
      return true;
    }
    if (!outcome.reply) return false;
    check(message, outcome.reply->message, transport);
    return true;
  }

  void check(const std::vector<std::uint8_t>& query, const std::vector<std::uint8_t>& reply, Transport transport) {
    auto parsed = parse_message(reply);
    ASSERT_TRUE(parsed) << "an unparseable reply";
    EXPECT_TRUE(parsed->qr);
    EXPECT_EQ(parsed->id, knot_wire_get_id(query.data()));
    EXPECT_LE(reply.size(), transport == Transport::Udp ? 1232u : 65535u);
  }

  ZoneFixture f;
  std::vector<std::vector<std::uint8_t>> seeds;
  std::mt19937 random{20261130};
};

TEST_F(DnsFuzz, RandomBytes) {
  int answered = 0;
  for (int i = 0; i < 5000; ++i) {
    std::vector<std::uint8_t> message(random() % 300);
    for (auto& byte : message) byte = static_cast<std::uint8_t>(random());
    if (message.size() >= 3 && i % 2) message[2] &= 0x07;  // a query with opcode QUERY, half the time
    answered += feed(message, i % 3 ? Transport::Udp : Transport::Tcp);
  }
  EXPECT_GT(answered, 1000) << "most queries deserve at least a FORMERR";
}

TEST_F(DnsFuzz, BitFlipsTruncationsAndSplices) {
  int answered = 0;
  for (int i = 0; i < 20000; ++i) {
    auto message = seeds[random() % seeds.size()];
    switch (i % 4) {
      case 0:
        for (int flips = 1 + random() % 4; flips > 0; --flips) message[random() % message.size()] ^= 1 << (random() % 8);
        break;
      case 1:
        message.resize(random() % message.size());
        break;
      case 2: {  // a random pointer somewhere: compression into the header, forward, or onto itself
        auto at = 12 + random() % (message.size() - 13);
        message[at] = static_cast<std::uint8_t>(0xc0 | (random() % 4));
        message[at + 1] = static_cast<std::uint8_t>(random());
        break;
      }
      default: {
        const auto& other = seeds[random() % seeds.size()];
        message.insert(message.begin() + random() % message.size(), other.begin(), other.begin() + random() % other.size());
      }
    }
    answered += feed(message, i % 5 ? Transport::Udp : Transport::Tcp);
  }
  EXPECT_GT(answered, 10000);
}

TEST_F(DnsFuzz, MalformedUpstreamResponsesCompleteIntoServfail) {
  auto outcome = f.outcome("example.com", KNOT_RRTYPE_A);
  ASSERT_TRUE(outcome.pending);
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::uint8_t> upstream(random() % 200);
    for (auto& byte : upstream) byte = static_cast<std::uint8_t>(random());
    auto reply = f.responder.complete(*outcome.pending, UpstreamReply{UpstreamReply::Status::Answered, upstream, 0, false});
    auto parsed = parse_message(reply.message);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->id, 0x2a2a);
  }
}

}  // namespace
}  // namespace skiff::dns::test
