// The forwarder's pure parts: resolv.conf reading, and the cache's TTL rules (RFC 2308 for
// negative answers), with the clock given by the test.
#include <gtest/gtest.h>
#include "knot.hpp"

#include "answer_cache.hpp"
#include "fake_upstream.hpp"
#include "resolv_conf.hpp"
#include "zone_fixture.hpp"

namespace skiff::dns::test {
namespace {

TEST(DnsResolvConf, ReadsNameserversSearchAndNdots) {
  auto conf = parse_resolv_conf(
      "# written by hand\nnameserver 10.0.0.2\nnameserver fd00::53 ; v6\nnameserver bogus\n"
      "domain old.example\nsearch corp.example lab.example\noptions rotate ndots:3 timeout:1\n");
  EXPECT_EQ(conf.nameservers, (std::vector<UpstreamServer>{{ip("10.0.0.2"), 53}, {ip("fd00::53"), 53}}));
  EXPECT_EQ(conf.search, (std::vector<std::string>{"corp.example", "lab.example"}));
  EXPECT_EQ(conf.ndots, 3u);
  EXPECT_EQ(parse_resolv_conf("").ndots, 1u);
  EXPECT_THROW(read_resolv_conf("/nonexistent/resolv.conf"), std::runtime_error);
}

TEST(DnsResolvConf, UpstreamAddressesWithPorts) {
  EXPECT_EQ(parse_upstream("10.0.0.2"), (UpstreamServer{ip("10.0.0.2"), 53}));
  EXPECT_EQ(parse_upstream("127.0.0.1:5353"), (UpstreamServer{ip("127.0.0.1"), 5353}));
  EXPECT_EQ(parse_upstream("fd00::53"), (UpstreamServer{ip("fd00::53"), 53}));
  EXPECT_EQ(parse_upstream("[fd00::53]:5353"), (UpstreamServer{ip("fd00::53"), 5353}));
  EXPECT_FALSE(parse_upstream("10.0.0.2:0"));
  EXPECT_FALSE(parse_upstream("10.0.0.2:99999"));
  EXPECT_FALSE(parse_upstream("name.example:53"));
}

TEST(DnsAnswerCache, PositiveAnswersLiveForTheirSmallestTtl) {
  UpstreamQuestion question{*wire_name("api.example.com"), KNOT_RRTYPE_A};
  auto answer = upstream_answer(question, {{"api.example.com", "192.0.2.1", 60}, {"api.example.com", "192.0.2.2", 20}});
  EXPECT_EQ(cacheable_ttl(answer, 3600), 20u);
  EXPECT_EQ(cacheable_ttl(answer, 10), 10u) << "capped";
  AnswerCache cache(10, 3600);
  auto start = AnswerCache::Clock::now();
  ASSERT_TRUE(cache.store(question, answer, start));
  auto hit = cache.find(question, start + std::chrono::seconds(7));
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->age_seconds, 7u);
  EXPECT_TRUE(hit->from_cache);
  EXPECT_FALSE(cache.find(question, start + std::chrono::seconds(20))) << "expired";
  EXPECT_FALSE(cache.find({*wire_name("api.example.com"), KNOT_RRTYPE_AAAA}, start)) << "another type";
}

TEST(DnsAnswerCache, NegativeAnswersLiveForTheSoaMinimum) {
  UpstreamQuestion question{*wire_name("gone.example.com"), KNOT_RRTYPE_A};
  EXPECT_EQ(cacheable_ttl(upstream_negative(question, KNOT_RCODE_NXDOMAIN, 300, 45), 3600), 45u) << "min(TTL, minimum)";
  EXPECT_EQ(cacheable_ttl(upstream_negative(question, KNOT_RCODE_NOERROR, 30, 45), 3600), 30u) << "NODATA too";
  EXPECT_FALSE(cacheable_ttl(upstream_negative(question, KNOT_RCODE_SERVFAIL, 30, 45), 3600));
  EXPECT_FALSE(cacheable_ttl(upstream_negative(question, KNOT_RCODE_NXDOMAIN, 30, 45, false), 3600)) << "no SOA: not cached";
}

TEST(DnsAnswerCache, TheLeastRecentlyUsedGoesFirst) {
  AnswerCache cache(2, 3600);
  auto now = AnswerCache::Clock::now();
  std::vector<UpstreamQuestion> questions;
  for (const auto* name : {"a.example", "b.example", "c.example"}) questions.push_back({*wire_name(name), KNOT_RRTYPE_A});
  cache.store(questions[0], upstream_answer(questions[0], {{"a.example", "192.0.2.1", 60}}), now);
  cache.store(questions[1], upstream_answer(questions[1], {{"b.example", "192.0.2.2", 60}}), now);
  EXPECT_TRUE(cache.find(questions[0], now));  // a is now the most recent
  cache.store(questions[2], upstream_answer(questions[2], {{"c.example", "192.0.2.3", 60}}), now);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.find(questions[0], now));
  EXPECT_FALSE(cache.find(questions[1], now));
}

}  // namespace
}  // namespace skiff::dns::test
