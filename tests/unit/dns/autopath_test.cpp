// When the search-path short circuit may answer for the client, and what it answers.
#include <gtest/gtest.h>

#include "autopath.hpp"
#include "zone_fixture.hpp"

namespace skiff::dns::test {
namespace {

class DnsAutopath : public ::testing::Test {
 protected:
  DnsAutopath() : f(test_zone_config(), {true, 1232}) {
    f.zone.upsert_service(cluster_ip_service("shop", "web", {"10.96.0.12"}));
    f.zone.upsert_service(cluster_ip_service("billing", "api", {"10.96.0.40"}));
    f.zone.upsert_pod(pod("shop", "client", "10.244.1.5"));
  }

  // autopath_target as text ("" for nullopt) for a query from the pod at `from`.
  std::string target(const std::string& qname, const std::string& from = "10.244.1.5") {
    auto client = f.zone.client_pod(ip(from));
    return f.zone.read([&](const ZoneView& view) {
      LookupScratch scratch;
      auto found = autopath_target(view, *wire_name(qname), client, scratch);
      return found ? text_name(*found) : std::string();
    });
  }

  ZoneFixture f;
};

TEST_F(DnsAutopath, TheFirstSearchElementOfAKnownPodGoesToTheName) {
  EXPECT_EQ(target("api.example.com.shop.svc.cluster.local"), "api.example.com.");
  EXPECT_EQ(target("API.Example.COM.Shop.svc.cluster.local"), "api.example.com.") << "names compare case-insensitively";
}

TEST_F(DnsAutopath, LaterSearchElementsThatExistWinInOrder) {
  EXPECT_EQ(target("api.billing.shop.svc.cluster.local"), "api.billing.svc.cluster.local.") << "<name>.svc.<zone>";
  f.zone.upsert_service(cluster_ip_service("svc", "api", {"10.96.0.41"}));  // api.svc.<zone>... and api.svc.cluster.local
  EXPECT_EQ(target("api.svc.shop.svc.cluster.local"), "api.svc.svc.cluster.local.") << "still <name>.svc.<zone> first";
  EXPECT_EQ(target("web.shop.svc.cluster.local.shop.svc.cluster.local"), "web.shop.svc.cluster.local.")
      << "an absolute cluster name searched as a short one ends at itself";
  EXPECT_EQ(target("dns-version.shop.svc.cluster.local"), "dns-version.cluster.local.") << "<name>.<zone>";
}

TEST_F(DnsAutopath, NotExactSoNotTouched) {
  EXPECT_EQ(target("web.shop.svc.cluster.local"), "") << "the name exists: the client stops there";
  EXPECT_EQ(target("api.example.com.billing.svc.cluster.local"), "") << "another namespace's first element";
  EXPECT_EQ(target("api.example.com.svc.cluster.local"), "") << "a later element alone may be a literal name";
  EXPECT_EQ(target("api.example.com.cluster.local"), "");
  EXPECT_EQ(target("api.example.com"), "");
  EXPECT_EQ(target("shop.svc.cluster.local"), "") << "nothing before the search element";
  EXPECT_EQ(target("api.example.com.shop.svc.cluster.local", "10.244.9.9"), "") << "an unknown client";
  EXPECT_EQ(target("a.b.c.d.e.f.shop.svc.cluster.local"), "") << "5 dots ≥ ndots: the client asked a.b.c.d.e.f. first";
  EXPECT_EQ(target("a.b.c.d.e.shop.svc.cluster.local"), "a.b.c.d.e.") << "4 dots: searched first";
  EXPECT_EQ(target("nope.cluster.local.shop.svc.cluster.local"), "") << "the name is ours and does not exist either";
}

TEST_F(DnsAutopath, AmbiguousOrNonStandardClientsAreNotShortCircuited) {
  f.zone.upsert_pod(pod("billing", "twin", "10.244.1.5"));
  EXPECT_EQ(target("api.example.com.shop.svc.cluster.local"), "") << "two pods share the address";
  f.zone.remove_pod("billing", "twin");
  auto custom = pod("shop", "client", "10.244.1.5");
  custom.standard_search_path = false;
  f.zone.upsert_pod(custom);
  EXPECT_EQ(target("api.example.com.shop.svc.cluster.local"), "") << "dnsConfig searches: another list";
  auto host = pod("shop", "client", "10.244.1.5");
  host.host_network = true;
  f.zone.upsert_pod(host);
  EXPECT_EQ(target("api.example.com.shop.svc.cluster.local"), "") << "host network: the node's address";
}

TEST(DnsAutopathConfig, OffOrWithHostSearchDomainsItNeverApplies) {
  for (int variant = 0; variant < 2; ++variant) {
    auto config = test_zone_config();
    if (variant == 0) config.autopath = false;
    if (variant == 1) config.host_search_domains = {"corp.example"};
    ZoneFixture f(config, {true, 1232});
    f.zone.upsert_pod(pod("shop", "client", "10.244.1.5"));
    auto client = f.zone.client_pod(ip("10.244.1.5"));
    bool applied = f.zone.read([&](const ZoneView& view) {
      LookupScratch scratch;
      return autopath_target(view, *wire_name("api.example.com.shop.svc.cluster.local"), client, scratch).has_value();
    });
    EXPECT_FALSE(applied) << variant;
  }
}

TEST_F(DnsAutopath, InZoneTargetsAreAnsweredAtOnceBehindACname) {
  auto outcome = f.outcome("Api.Billing.shop.svc.cluster.local", KNOT_RRTYPE_A, {}, {Transport::Udp, ip("10.244.1.5")});
  ASSERT_TRUE(outcome.reply);
  EXPECT_TRUE(outcome.reply->short_circuited);
  auto m = f.ask("Api.Billing.shop.svc.cluster.local", KNOT_RRTYPE_A, {}, {Transport::Udp, ip("10.244.1.5")});
  EXPECT_EQ(m.rcode, KNOT_RCODE_NOERROR);
  ASSERT_EQ(m.answer.size(), 2u);
  EXPECT_EQ(m.answer[0].owner, "Api.Billing.shop.svc.cluster.local.");
  EXPECT_EQ(m.answer[0].data, "api.billing.svc.cluster.local.");
  EXPECT_EQ(m.answer[1].data, "10.96.0.40");
  auto plain = f.ask("api.billing.shop.svc.cluster.local", KNOT_RRTYPE_A);
  EXPECT_EQ(plain.rcode, KNOT_RCODE_NXDOMAIN) << "no client address: no short circuit";
}

TEST_F(DnsAutopath, OutsideTargetsGoUpstreamWithTheOriginalAnswerAsFallback) {
  auto outcome = f.outcome("api.example.com.shop.svc.cluster.local", KNOT_RRTYPE_A, {}, {Transport::Udp, ip("10.244.1.5")});
  ASSERT_TRUE(outcome.pending);
  EXPECT_TRUE(outcome.pending->short_circuited);
  EXPECT_EQ(text_name(outcome.pending->question.name), "api.example.com.");
  ASSERT_EQ(outcome.pending->chain.size(), 1u);
  ASSERT_TRUE(outcome.pending->fallback);
  EXPECT_EQ(parse_message(outcome.pending->fallback->message)->rcode, KNOT_RCODE_NXDOMAIN);
  auto failed = parse_message(f.responder.complete(*outcome.pending, UpstreamReply{}).message);
  EXPECT_EQ(failed->rcode, KNOT_RCODE_NXDOMAIN) << "upstream failed: the client goes on with its search as before";
  EXPECT_TRUE(failed->answer.empty());
}

}  // namespace
}  // namespace skiff::dns::test
