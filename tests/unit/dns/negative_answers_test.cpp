// NXDOMAIN against NODATA exactly as RFC 2308 defines them: a name that exists with other types,
// or only with names below it (an empty non-terminal), is NODATA; only a name with nothing at
// or below it is NXDOMAIN. Both carry the zone's SOA in authority, its TTL capped by the
// negative TTL (§5).
#include <gtest/gtest.h>

#include "zone_fixture.hpp"

namespace skiff::dns::test {
namespace {

class DnsNegativeAnswers : public ::testing::Test {
 protected:
  DnsNegativeAnswers() {
    f.zone.upsert_service(cluster_ip_service("shop", "web", {"10.96.0.12"}, {{"http", PortProtocol::TCP, 80}}));
  }

  // The response's SOA in authority, checked to be the one of `apex`.
  void expect_soa(const Message& message, const std::string& apex) {
    ASSERT_EQ(message.authority.size(), 1u) << message.qname;
    EXPECT_EQ(message.authority[0].type, KNOT_RRTYPE_SOA);
    EXPECT_EQ(message.authority[0].owner, apex);
    EXPECT_EQ(message.authority[0].ttl, 5u) << "min(SOA TTL 30, minimum 5)";
    EXPECT_TRUE(message.answer.empty());
    EXPECT_TRUE(message.aa);
  }

  ZoneFixture f;
};

TEST_F(DnsNegativeAnswers, ExistingNameWithOtherTypesIsNodata) {
  auto m = f.ask("web.shop.svc.cluster.local", KNOT_RRTYPE_AAAA);
  EXPECT_EQ(m.rcode, KNOT_RCODE_NOERROR);
  expect_soa(m, "cluster.local.");
  auto txt = f.ask("web.shop.svc.cluster.local", KNOT_RRTYPE_TXT);
  EXPECT_EQ(txt.rcode, KNOT_RCODE_NOERROR);
}

TEST_F(DnsNegativeAnswers, EmptyNonTerminalsAreNodata) {
  for (const auto* name : {"svc.cluster.local", "shop.svc.cluster.local", "_tcp.web.shop.svc.cluster.local",
                           "pod.cluster.local", "dns.cluster.local"}) {
    auto m = f.ask(name, KNOT_RRTYPE_A);
    EXPECT_EQ(m.rcode, KNOT_RCODE_NOERROR) << name;
    expect_soa(m, "cluster.local.");
  }
}

TEST_F(DnsNegativeAnswers, NamesWithNothingAtOrBelowAreNxdomain) {
  for (const auto* name : {"nope.shop.svc.cluster.local", "other.svc.cluster.local", "x.web.shop.svc.cluster.local",
                           "_https._tcp.web.shop.svc.cluster.local", "nothing.cluster.local"}) {
    auto m = f.ask(name, KNOT_RRTYPE_A);
    EXPECT_EQ(m.rcode, KNOT_RCODE_NXDOMAIN) << name;
    expect_soa(m, "cluster.local.");
  }
}

TEST_F(DnsNegativeAnswers, ANamespaceGoesWithItsLastService) {
  EXPECT_EQ(f.ask("shop.svc.cluster.local", KNOT_RRTYPE_A).rcode, KNOT_RCODE_NOERROR);
  f.zone.remove_service("shop", "web");
  EXPECT_EQ(f.ask("shop.svc.cluster.local", KNOT_RRTYPE_A).rcode, KNOT_RCODE_NXDOMAIN);
  EXPECT_EQ(f.ask("svc.cluster.local", KNOT_RRTYPE_A).rcode, KNOT_RCODE_NOERROR) << "svc.<zone> always exists";
}

TEST_F(DnsNegativeAnswers, ReverseZonesAnswerWithTheirOwnApex) {
  auto nx = f.ask("13.0.96.10.in-addr.arpa", KNOT_RRTYPE_PTR);
  EXPECT_EQ(nx.rcode, KNOT_RCODE_NXDOMAIN);
  expect_soa(nx, "96.10.in-addr.arpa.");
  auto ent = f.ask("0.96.10.in-addr.arpa", KNOT_RRTYPE_PTR);
  EXPECT_EQ(ent.rcode, KNOT_RCODE_NOERROR) << "12.0.96.10 is below it";
  expect_soa(ent, "96.10.in-addr.arpa.");
  auto nodata = f.ask("12.0.96.10.in-addr.arpa", KNOT_RRTYPE_A);
  EXPECT_EQ(nodata.rcode, KNOT_RCODE_NOERROR);
  auto pod_range = f.ask("9.9.244.10.in-addr.arpa", KNOT_RRTYPE_PTR);
  EXPECT_EQ(pod_range.rcode, KNOT_RCODE_NXDOMAIN);
  expect_soa(pod_range, "244.10.in-addr.arpa.");
}

TEST_F(DnsNegativeAnswers, CnameToANameThatDoesNotExistIsNxdomainWithTheChain) {
  Service alias;
  alias.namespace_ = "shop";
  alias.name = "alias";
  alias.type = ServiceType::ExternalName;
  alias.external_name = "gone.shop.svc.cluster.local";
  f.zone.upsert_service(alias);
  auto m = f.ask("alias.shop.svc.cluster.local", KNOT_RRTYPE_A);
  EXPECT_EQ(m.rcode, KNOT_RCODE_NXDOMAIN) << "RFC 6604: the rcode is the last name's";
  ASSERT_EQ(m.answer.size(), 1u);
  EXPECT_EQ(m.answer[0].type, KNOT_RRTYPE_CNAME);
  ASSERT_EQ(m.authority.size(), 1u);
  EXPECT_EQ(m.authority[0].type, KNOT_RRTYPE_SOA);
}

TEST_F(DnsNegativeAnswers, OutsideOurZonesIsRefusedWithoutForwarding) {
  for (const auto* name : {"example.com", "10.in-addr.arpa", "1.1.168.192.in-addr.arpa", "local"}) {
    auto m = f.ask(name, KNOT_RRTYPE_A);
    EXPECT_EQ(m.rcode, KNOT_RCODE_REFUSED) << name;
    EXPECT_FALSE(m.aa);
    EXPECT_FALSE(m.ra) << "we offer no recursion";
  }
}

TEST_F(DnsNegativeAnswers, NegativeTtlIsConfigurable) {
  auto config = test_zone_config();
  config.ttl = 10;
  config.negative_ttl = 60;
  ZoneFixture g(config);
  auto m = g.ask("nope.svc.cluster.local", KNOT_RRTYPE_A);
  ASSERT_EQ(m.authority.size(), 1u);
  EXPECT_EQ(m.authority[0].ttl, 10u) << "min(SOA TTL, minimum)";
  EXPECT_NE(m.authority[0].data.find(" 60"), std::string::npos) << "the SOA minimum is the negative TTL: " << m.authority[0].data;
}

}  // namespace
}  // namespace skiff::dns::test
