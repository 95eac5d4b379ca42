// The UpstreamForwarder against a fake upstream the test runs on 127.0.0.1: answers, the cache,
// TCP after truncation, failover, timeouts, and one flight for many waiters.
#include <gtest/gtest.h>
#include "knot.hpp"

#include <future>

#include "fake_upstream.hpp"
#include "upstream_forwarder.hpp"
#include "zone_fixture.hpp"

namespace skiff::dns::test {
namespace {

using namespace std::chrono_literals;
using Behaviour = FakeUpstream::Behaviour;

UpstreamServer at(const FakeUpstream& upstream) { return {ip("127.0.0.1"), upstream.port()}; }

// Resolves and waits (with a deadline) for the reply.
std::optional<UpstreamReply> resolve(Forwarder& forwarder, const std::string& name, std::uint16_t qtype = KNOT_RRTYPE_A) {
  auto promise = std::make_shared<std::promise<UpstreamReply>>();
  auto future = promise->get_future();
  forwarder.resolve({*wire_name(name), qtype}, [promise](UpstreamReply reply) { promise->set_value(std::move(reply)); });
  if (future.wait_for(10s) != std::future_status::ready) return std::nullopt;
  return future.get();
}

std::vector<std::string> addresses(const UpstreamReply& reply) {
  auto message = parse_message(reply.message);
  return message ? message->answers(KNOT_RRTYPE_A) : std::vector<std::string>{};
}

TEST(DnsUpstreamForwarder, AnswersAndThenServesFromTheCache) {
  FakeUpstream upstream;
  upstream.set("api.example.com", Behaviour::Answer, {{"api.example.com", "192.0.2.10", 300}});
  CountingMetrics metrics;
  UpstreamForwarder forwarder({{at(upstream)}}, metrics);
  auto first = resolve(forwarder, "api.example.com");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, UpstreamReply::Status::Answered);
  EXPECT_FALSE(first->from_cache);
  EXPECT_EQ(addresses(*first), std::vector<std::string>{"192.0.2.10"});
  auto second = resolve(forwarder, "API.example.com");
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->from_cache);
  EXPECT_EQ(upstream.udp_queries(), 1);
  auto snapshot = metrics.snapshot();
  EXPECT_EQ(snapshot.cache_hits, 1u);
  EXPECT_EQ(snapshot.forwards, 1u);
}

TEST(DnsUpstreamForwarder, NegativeAnswersAreCachedButFailuresAreNot) {
  FakeUpstream upstream;
  upstream.set("broken.example", Behaviour::Servfail);
  CountingMetrics metrics;
  UpstreamForwarder forwarder({{at(upstream)}}, metrics);
  EXPECT_EQ(parse_message(resolve(forwarder, "gone.example")->message)->rcode, KNOT_RCODE_NXDOMAIN);
  EXPECT_TRUE(resolve(forwarder, "gone.example")->from_cache);
  EXPECT_EQ(parse_message(resolve(forwarder, "broken.example")->message)->rcode, KNOT_RCODE_SERVFAIL);
  EXPECT_FALSE(resolve(forwarder, "broken.example")->from_cache);
  EXPECT_EQ(upstream.udp_queries(), 3);
}

TEST(DnsUpstreamForwarder, TruncatedUdpAnswersAreAskedAgainOverTcp) {
  FakeUpstream upstream;
  upstream.set("big.example", Behaviour::TruncateOverUdp, {{"big.example", "192.0.2.1"}, {"big.example", "192.0.2.2"}});
  CountingMetrics metrics;
  UpstreamForwarder forwarder({{at(upstream)}}, metrics);
  auto reply = resolve(forwarder, "big.example");
  ASSERT_TRUE(reply);
  EXPECT_EQ(addresses(*reply), (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ(upstream.udp_queries(), 1);
  EXPECT_EQ(upstream.tcp_queries(), 1);
}

TEST(DnsUpstreamForwarder, SilentOrFailingServersGiveWayToTheNext) {
  FakeUpstream silent, failing, good;
  silent.set("api.example.com", Behaviour::Silent);
  failing.set("api.example.com", Behaviour::Servfail);
  good.set("api.example.com", Behaviour::Answer, {{"api.example.com", "192.0.2.10"}});
  CountingMetrics metrics;
  ForwarderConfig config{{at(silent), at(failing), at(good)}};
  config.timeout = 200ms;
  UpstreamForwarder forwarder(config, metrics);
  auto reply = resolve(forwarder, "api.example.com");
  ASSERT_TRUE(reply);
  EXPECT_EQ(addresses(*reply), std::vector<std::string>{"192.0.2.10"});
  EXPECT_EQ(silent.udp_queries(), 1);
  EXPECT_EQ(failing.udp_queries(), 1);
}

TEST(DnsUpstreamForwarder, NoAnswerAnywhereFails) {
  FakeUpstream silent;
  silent.set("api.example.com", Behaviour::Silent);
  CountingMetrics metrics;
  ForwarderConfig config{{at(silent)}};
  config.timeout = 200ms;
  UpstreamForwarder forwarder(config, metrics);
  auto reply = resolve(forwarder, "api.example.com");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, UpstreamReply::Status::Failed);
  EXPECT_EQ(metrics.snapshot().forward_failures, 1u);
  UpstreamForwarder nothing({}, metrics);
  EXPECT_EQ(resolve(nothing, "api.example.com")->status, UpstreamReply::Status::Failed) << "no servers configured";
}

TEST(DnsUpstreamForwarder, ManyWaitersShareOneQuestion) {
  FakeUpstream silent;
  silent.set("slow.example", Behaviour::Silent);
  CountingMetrics metrics;
  ForwarderConfig config{{at(silent)}};
  config.timeout = 500ms;
  UpstreamForwarder forwarder(config, metrics);
  std::vector<std::future<UpstreamReply>> replies;
  for (int i = 0; i < 20; ++i) {
    auto promise = std::make_shared<std::promise<UpstreamReply>>();
    replies.push_back(promise->get_future());
    forwarder.resolve({*wire_name("slow.example"), KNOT_RRTYPE_A}, [promise](UpstreamReply r) { promise->set_value(r); });
  }
  for (auto& reply : replies) ASSERT_EQ(reply.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(silent.udp_queries(), 1);
}

}  // namespace
}  // namespace skiff::dns::test
