// The message around the records: the client's case kept, EDNS echoed with our size, TC when a
// UDP answer does not fit, and the error codes for what we cannot or will not answer.
#include <gtest/gtest.h>

#include "dns_message.hpp"
#include "zone_fixture.hpp"

namespace skiff::dns::test {
namespace {

// A headless Service with `count` ready endpoints: a big answer.
Service many_endpoints(int count) {
  std::vector<ServiceEndpoint> endpoints;
  for (int i = 0; i < count; ++i) endpoints.push_back(endpoint("10.244." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1)));
  return headless_service("shop", "big", endpoints);
}

TEST(DnsMessageHandling, TheQueryCaseIsKeptInQuestionAndAnswer) {
  ZoneFixture f;
  f.zone.upsert_service(cluster_ip_service("shop", "web", {"10.96.0.12"}));
  auto m = f.ask("WeB.ShOp.SVC.Cluster.LOCAL", KNOT_RRTYPE_A, {.id = 4242});
  EXPECT_EQ(m.id, 4242);
  EXPECT_TRUE(m.qr);
  EXPECT_TRUE(m.rd) << "RD is copied";
  EXPECT_EQ(m.qname, "WeB.ShOp.SVC.Cluster.LOCAL.");
  ASSERT_EQ(m.answer.size(), 1u);
  EXPECT_EQ(m.answer[0].owner, "WeB.ShOp.SVC.Cluster.LOCAL.");
  EXPECT_EQ(m.answer[0].data, "10.96.0.12");
}

TEST(DnsMessageHandling, EdnsIsEchoedWithOurPayloadAndTheDoBit) {
  ZoneFixture f;
  f.zone.upsert_service(cluster_ip_service("shop", "web", {"10.96.0.12"}));
  auto with = f.ask("web.shop.svc.cluster.local", KNOT_RRTYPE_A, {.edns = true, .payload = 4096, .dnssec_ok = true});
  EXPECT_TRUE(with.edns);
  EXPECT_EQ(with.edns_payload, 1232);
  EXPECT_TRUE(with.dnssec_ok);
  auto without = f.ask("web.shop.svc.cluster.local", KNOT_RRTYPE_A);
  EXPECT_FALSE(without.edns) << "no OPT to a client that sent none";
}

TEST(DnsMessageHandling, UdpAnswersOver512BytesAreTruncatedWithoutEdns) {
  ZoneFixture f;
  f.zone.upsert_service(many_endpoints(60));  // 60 × 16 bytes: more than 512, less than 1232
  auto plain = f.outcome("big.shop.svc.cluster.local", KNOT_RRTYPE_A);
  ASSERT_TRUE(plain.reply);
  EXPECT_LE(plain.reply->message.size(), 512u);
  EXPECT_TRUE(plain.reply->truncated);
  EXPECT_TRUE(parse_message(plain.reply->message)->tc);

  auto edns = f.ask("big.shop.svc.cluster.local", KNOT_RRTYPE_A, {.edns = true, .payload = 4096});
  EXPECT_FALSE(edns.tc) << "60 addresses fit in our 1232 bytes";
  EXPECT_EQ(edns.answer.size(), 60u);

  auto small_edns = f.outcome("big.shop.svc.cluster.local", KNOT_RRTYPE_A, {.edns = true, .payload = 800});
  EXPECT_LE(small_edns.reply->message.size(), 800u);
  EXPECT_TRUE(parse_message(small_edns.reply->message)->tc) << "the client's own size is the limit";

  auto tcp = f.outcome("big.shop.svc.cluster.local", KNOT_RRTYPE_A, {}, {Transport::Tcp, std::nullopt});
  auto over_tcp = parse_message(tcp.reply->message);
  EXPECT_FALSE(over_tcp->tc);
  EXPECT_EQ(over_tcp->answer.size(), 60u);
}

TEST(DnsMessageHandling, EdnsPayloadAboveOursIsCappedAtOurs) {
  ZoneFixture f;
  f.zone.upsert_service(many_endpoints(200));  // 200 × 16 bytes: more than 1232
  auto m = f.outcome("big.shop.svc.cluster.local", KNOT_RRTYPE_A, {.edns = true, .payload = 65000});
  EXPECT_LE(m.reply->message.size(), 1232u);
  EXPECT_TRUE(parse_message(m.reply->message)->tc);
}

TEST(DnsMessageHandling, OtherOpcodesAreNotImplemented) {
  ZoneFixture f;
  for (std::uint8_t opcode : {KNOT_OPCODE_IQUERY, KNOT_OPCODE_STATUS, KNOT_OPCODE_NOTIFY, KNOT_OPCODE_UPDATE}) {
    auto m = f.ask("web.shop.svc.cluster.local", KNOT_RRTYPE_A, {.opcode = opcode});
    EXPECT_EQ(m.rcode, KNOT_RCODE_NOTIMPL) << int(opcode);
    EXPECT_EQ(m.id, 0x2a2a);
  }
}

TEST(DnsMessageHandling, UnsupportedEdnsVersionIsBadvers) {
  ZoneFixture f;
  auto m = f.ask("web.shop.svc.cluster.local", KNOT_RRTYPE_A, {.edns = true, .edns_version = 1});
  EXPECT_EQ(m.rcode, KNOT_RCODE_BADVERS);
  EXPECT_TRUE(m.edns);
}

TEST(DnsMessageHandling, OtherClassesAndZoneTransfersAreRefused) {
  ZoneFixture f;
  EXPECT_EQ(f.ask("version.bind", KNOT_RRTYPE_TXT, {.qclass = KNOT_CLASS_CH}).rcode, KNOT_RCODE_REFUSED);
  EXPECT_EQ(f.ask("cluster.local", KNOT_RRTYPE_AXFR).rcode, KNOT_RCODE_REFUSED);
}

TEST(DnsMessageHandling, MalformedQueriesAreFormerrAndResponsesAreDropped) {
  ZoneFixture f;
  auto query = make_query("web.shop.svc.cluster.local", KNOT_RRTYPE_A);
  auto truncated = query;
  truncated.resize(truncated.size() - 3);  // the question cut short
  auto formerr = f.responder.respond(truncated, {});
  ASSERT_TRUE(formerr.reply);
  EXPECT_EQ(parse_message(formerr.reply->message)->rcode, KNOT_RCODE_FORMERR);
  EXPECT_EQ(parse_message(formerr.reply->message)->id, 0x2a2a);

  auto two_questions = query;
  two_questions[5] = 2;  // QDCOUNT 2
  EXPECT_EQ(parse_message(f.responder.respond(two_questions, {}).reply->message)->rcode, KNOT_RCODE_FORMERR);

  auto opt_question = make_query("web.shop.svc.cluster.local", KNOT_RRTYPE_OPT);
  EXPECT_EQ(parse_message(f.responder.respond(opt_question, {}).reply->message)->rcode, KNOT_RCODE_FORMERR);

  auto response = query;
  response[2] |= 0x80;  // QR: someone's response, maybe our own reflected
  auto dropped = f.responder.respond(response, {});
  EXPECT_FALSE(dropped.reply);
  EXPECT_FALSE(dropped.pending);

  std::vector<std::uint8_t> short_header(query.begin(), query.begin() + 11);
  EXPECT_FALSE(f.responder.respond(short_header, {}).reply);
}

TEST(DnsMessageHandling, CompressionLoopsAreFormerr) {
  ZoneFixture f;
  // Header (ID 0x0101, one question), then a name that is only a pointer to itself.
  std::vector<std::uint8_t> loop{0x01, 0x01, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
  auto outcome = f.responder.respond(loop, {});
  ASSERT_TRUE(outcome.reply);
  EXPECT_EQ(parse_message(outcome.reply->message)->rcode, KNOT_RCODE_FORMERR);
  // Two labels pointing at each other.
  std::vector<std::uint8_t> pair{0x01, 0x01, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 1, 'a', 0xc0, 16, 0xc0, 12, 0, 1, 0, 1};
  EXPECT_EQ(parse_message(f.responder.respond(pair, {}).reply->message)->rcode, KNOT_RCODE_FORMERR);
}

TEST(DnsMessageHandling, ForwardingSetsRecursionAvailableAndAsksUpstream) {
  ZoneFixture f(test_zone_config(), {true, 1232});
  auto outcome = f.outcome("Example.COM", KNOT_RRTYPE_AAAA, {.edns = true, .dnssec_ok = true});
  ASSERT_TRUE(outcome.pending);
  EXPECT_EQ(text_name(outcome.pending->question.name), "example.com.");
  EXPECT_EQ(outcome.pending->question.qtype, KNOT_RRTYPE_AAAA);
  EXPECT_TRUE(outcome.pending->question.dnssec_ok);
  EXPECT_TRUE(outcome.pending->chain.empty());

  auto failed = parse_message(f.responder.complete(*outcome.pending, UpstreamReply{}).message);
  EXPECT_EQ(failed->rcode, KNOT_RCODE_SERVFAIL) << "no upstream answer";
  EXPECT_EQ(failed->qname, "Example.COM.");
  EXPECT_TRUE(failed->ra);
  EXPECT_TRUE(f.ask("cluster.local", KNOT_RRTYPE_SOA).ra);
}

}  // namespace
}  // namespace skiff::dns::test
