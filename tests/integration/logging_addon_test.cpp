// The logging addon on a real nats-server with JetStream: lines of 2 namespaces, 3 pods and 2
// nodes published as the shippers do, then queried by every filter; deleted pods by name;
// limits, newest first, replies larger than a bus message, live tails that stop (asked, or
// when the caller goes), retention by bytes, and the stream's settings following the config.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "log_stream_owner.hpp"
#include "logging_lines.hpp"
#include "plugin_node.hpp"
#include "skiff/sdk/jetstream.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace v1 = logging::v1;

constexpr std::int64_t kSecond = 1'000'000'000;

test::NatsServerSettings jetstream_on() {
  test::NatsServerSettings settings;
  settings.jetstream = true;
  return settings;
}

const test::PodOfLines kWeb1{"shop", "web-1", "uid-web-1", "node-a", {{"app", "web"}}};
const test::PodOfLines kWeb2{"shop", "web-2", "uid-web-2", "node-b", {{"app", "web"}}};
const test::PodOfLines kJob{"batch", "job-1", "uid-job-1", "node-a", {{"app", "job"}}};

struct Answer {
  sdk::Status status;
  std::vector<std::string> lines;
  bool truncated = false;
};

class LoggingAddon : public ::testing::Test {
 protected:
  explicit LoggingAddon(const std::string& config = "{}")
      : node(nats, "  - name: logging\n    config: " + config + "\n") {
    node.start();
    js = node.bus().jetstream();
  }

  // Lines written an hour ago, a second apart; web-2's arrive after web-1's (another shipper).
  void ship_standard_lines() {
    base = test::unix_nano_now() - 3600 * kSecond;
    for (int i : {1, 3, 5}) test::ship(*js, subjects(), kWeb1, "nginx", "web-1 line " + std::to_string(i), at(i));
    test::ship(*js, subjects(), kWeb1, "sidecar", "sidecar ERROR disk full", at(6));
    for (int i : {2, 4}) test::ship(*js, subjects(), kWeb2, "nginx", "web-2 line " + std::to_string(i), at(i));
    for (int i : {0, 7}) test::ship(*js, subjects(), kJob, "main", "job line " + std::to_string(i), at(i));
  }
  std::int64_t at(int second) const { return base + second * kSecond; }

  Answer query(const v1::LogQuery& q) {
    sdk::Reply reply = node.bus().request(subjects().logging("query"), q.SerializeAsString(), 20s);
    Answer a{reply.status, {}, false};
    v1::LogQueryResponse r;
    if (reply.ok() && r.ParseFromString(reply.data)) {
      for (const auto& e : r.entries()) a.lines.push_back(e.line().line());
      a.truncated = r.truncated();
    }
    return a;
  }
  template <class Set>
  std::vector<std::string> lines(Set set) {
    v1::LogQuery q;
    set(q);
    Answer a = query(q);
    EXPECT_TRUE(a.status.ok()) << a.status.message;
    return a.lines;
  }
  const sdk::Subjects& subjects() { return node.subjects(); }

  test::NatsServer nats{jetstream_on()};
  test::PluginNode node;
  std::unique_ptr<sdk::JetStream> js;
  std::int64_t base = 0;
};

using Lines = std::vector<std::string>;

TEST_F(LoggingAddon, TheAddonOwnsTheLogStream) {
  auto state = js->stream_state(subjects().log_stream());
  ASSERT_TRUE(state) << "SKIFF_LOGS_test was created";
  EXPECT_EQ(subjects().log_stream(), "SKIFF_LOGS_test");
  EXPECT_EQ(state->max_bytes, 1LL << 30);
  EXPECT_EQ(state->max_age, std::chrono::hours(72));
  EXPECT_EQ(state->replicas, 1) << "auto on a single server";
}

TEST_F(LoggingAddon, EachFilterSelectsItsLines) {
  ship_standard_lines();
  EXPECT_EQ(lines([](auto&) {}).size(), 8u);
  EXPECT_EQ(lines([](auto& q) { q.set_namespace_("batch"); }), (Lines{"job line 0", "job line 7"}));
  EXPECT_EQ(lines([](auto& q) { q.set_pod("web-2"); }), (Lines{"web-2 line 2", "web-2 line 4"}));
  EXPECT_EQ(lines([](auto& q) { q.set_pod_uid("uid-web-2"); }), (Lines{"web-2 line 2", "web-2 line 4"}));
  EXPECT_EQ(lines([](auto& q) { q.set_container("sidecar"); }), (Lines{"sidecar ERROR disk full"}));
  EXPECT_EQ(lines([](auto& q) { q.set_node("node-b"); }), (Lines{"web-2 line 2", "web-2 line 4"}));
  EXPECT_EQ(lines([](auto& q) { q.set_contains("line 7"); }), (Lines{"job line 7"}));
  EXPECT_EQ(lines([](auto& q) { q.set_regex("ERR(OR)?.*full$"); }), (Lines{"sidecar ERROR disk full"}));
  EXPECT_EQ(lines([&](auto& q) {
              q.set_since_unix_nano(at(3));
              q.set_until_unix_nano(at(5));
            }),
            (Lines{"web-1 line 3", "web-2 line 4"}));
  EXPECT_EQ(lines([](auto& q) {
              q.set_namespace_("shop");
              q.set_pod("web-1");
              q.set_container("nginx");
            }),
            (Lines{"web-1 line 1", "web-1 line 3", "web-1 line 5"}));
}

TEST_F(LoggingAddon, ALabelSelectorAcrossPodsAndNodesInterleavesByTime) {
  ship_standard_lines();
  EXPECT_EQ(lines([](auto& q) {
              q.set_label_selector("app=web");
              q.set_container("nginx");
            }),
            (Lines{"web-1 line 1", "web-2 line 2", "web-1 line 3", "web-2 line 4", "web-1 line 5"}));
  EXPECT_EQ(lines([](auto& q) { q.set_label_selector("app in (job),app!=web"); }), (Lines{"job line 0", "job line 7"}));
}

TEST_F(LoggingAddon, ADeletedPodsLinesAreFoundByItsName) {
  // No Pod object exists for it anywhere: the lines outlive it in the stream.
  test::PodOfLines gone{"shop", "gone-7f9c", "uid-gone", "node-b", {{"app", "web"}}};
  base = test::unix_nano_now() - 10 * kSecond;
  test::ship(*js, subjects(), gone, "main", "last words", at(0));
  EXPECT_EQ(lines([](auto& q) {
              q.set_namespace_("shop");
              q.set_pod("gone-7f9c");
            }),
            (Lines{"last words"}));
}

TEST_F(LoggingAddon, LimitTruncatesAndReverseGivesTheNewestFirst) {
  ship_standard_lines();
  v1::LogQuery q;
  q.set_limit(3);
  Answer oldest = query(q);
  EXPECT_EQ(oldest.lines, (Lines{"job line 0", "web-1 line 1", "web-2 line 2"}));
  EXPECT_TRUE(oldest.truncated);
  q.set_reverse(true);
  Answer newest = query(q);
  EXPECT_EQ(newest.lines, (Lines{"job line 7", "sidecar ERROR disk full", "web-1 line 5"}));
  EXPECT_TRUE(newest.truncated);
  q.set_limit(8);
  EXPECT_FALSE(query(q).truncated);
}

TEST_F(LoggingAddon, BadQueriesAreRefusedWith400NamingTheProblem) {
  v1::LogQuery regex;
  regex.set_regex("(unclosed");
  Answer a = query(regex);
  EXPECT_EQ(a.status.code, 400);
  EXPECT_NE(a.status.message.find("not a valid ECMAScript regular expression"), std::string::npos) << a.status.message;
  v1::LogQuery selector;
  selector.set_label_selector("app in web");
  EXPECT_EQ(query(selector).status.code, 400);
  v1::LogQuery limit;
  limit.set_limit(-1);
  EXPECT_EQ(query(limit).status.code, 400);
  v1::LogQuery both;
  both.set_reverse(true);
  both.set_follow_stream(subjects().stream("x"));
  EXPECT_EQ(query(both).status.code, 400);
}

TEST_F(LoggingAddon, AHistoryTooLargeForOneMessageComesInBatches) {
  base = test::unix_nano_now() - 60 * kSecond;
  std::string filler(2000, 'x');
  for (int i = 0; i < 1500; ++i) test::ship(*js, subjects(), kWeb1, "nginx", std::to_string(i) + " " + filler, at(0) + i);
  v1::LogQuery q;
  Answer direct = query(q);
  ASSERT_TRUE(direct.status.ok()) << direct.status.message;
  EXPECT_LT(direct.lines.size(), 1500u) << "3 MB do not fit in one reply";
  EXPECT_TRUE(direct.truncated);

  test::QueryStream stream(node.bus(), subjects(), "history-1");
  q.set_history_stream(stream.subject());
  Answer accepted = query(q);
  ASSERT_TRUE(accepted.status.ok()) << accepted.status.message;
  bool done = false;
  auto all = stream.lines(100000, 20s, &done);
  EXPECT_TRUE(done);
  ASSERT_EQ(all.size(), 1500u);
  EXPECT_EQ(all.front().substr(0, 2), "0 ");
  EXPECT_EQ(all.back().substr(0, 5), "1499 ");
}

TEST_F(LoggingAddon, AFollowSendsTheHistoryThenNewLinesUntilStopped) {
  ship_standard_lines();
  test::QueryStream stream(node.bus(), subjects(), "follow-1");
  v1::LogQuery q;
  q.set_pod("web-2");
  q.set_follow_stream(stream.subject());
  ASSERT_TRUE(query(q).status.ok());
  EXPECT_EQ(stream.lines(2, 10s), (Lines{"web-2 line 2", "web-2 line 4"}));
  test::ship(*js, subjects(), kWeb1, "nginx", "not this pod", at(8));
  test::ship(*js, subjects(), kWeb2, "nginx", "web-2 live", at(9));
  EXPECT_EQ(stream.lines(1, 10s), (Lines{"web-2 live"}));
  stream.stop();
  bool done = false;
  EXPECT_TRUE(stream.lines(100, 10s, &done).empty());
  EXPECT_TRUE(done) << "the addon ends the tail with done";
}

TEST_F(LoggingAddon, AFollowsHistoryIsTheNewestLinesOldestFirst) {
  ship_standard_lines();
  test::QueryStream stream(node.bus(), subjects(), "follow-2");
  v1::LogQuery q;
  q.set_namespace_("shop");
  q.set_limit(2);
  q.set_follow_stream(stream.subject());
  ASSERT_TRUE(query(q).status.ok());
  EXPECT_EQ(stream.lines(2, 10s), (Lines{"web-1 line 5", "sidecar ERROR disk full"}));
  stream.stop();
}

class LoggingAddonOneFollow : public LoggingAddon {
 protected:
  LoggingAddonOneFollow() : LoggingAddon("{max_follows: 1}") {}
};

TEST_F(LoggingAddonOneFollow, ACallerThatGoesAwayIsNoticedAndItsTailEnds) {
  auto follow = [&](test::QueryStream& stream) {
    v1::LogQuery q;
    q.set_follow_stream(stream.subject());
    return query(q).status;
  };
  auto first = std::make_unique<test::QueryStream>(node.bus(), subjects(), "gone-1");
  ASSERT_TRUE(follow(*first).ok());
  test::QueryStream second(node.bus(), subjects(), "gone-2");
  EXPECT_EQ(follow(second).code, 429) << "one tail at a time (max_follows: 1)";
  first->leave();  // unsubscribed without a word, as a crashed apiserver
  first.reset();
  sdk::Status status;
  EXPECT_TRUE(test::wait_until([&] { return (status = follow(second)).ok(); }, 20s))
      << "the heartbeat finds nobody and the tail ends: " << status.message;
  second.stop();
}

class LoggingAddonSmallStream : public LoggingAddon {
 protected:
  LoggingAddonSmallStream() : LoggingAddon("{max_bytes: 64Ki}") {}
};

TEST_F(LoggingAddonSmallStream, RetentionByBytesDropsTheOldestLines) {
  base = test::unix_nano_now() - 60 * kSecond;
  std::string filler(500, 'x');
  for (int i = 0; i < 400; ++i) test::ship(*js, subjects(), kWeb1, "nginx", std::to_string(i) + " " + filler, at(0) + i);
  auto state = js->stream_state(subjects().log_stream());
  ASSERT_TRUE(state);
  EXPECT_LE(state->bytes, 64u * 1024);
  EXPECT_LT(state->messages, 400u);
  auto kept = lines([](auto&) {});
  ASSERT_FALSE(kept.empty());
  EXPECT_NE(kept.front().substr(0, 2), "0 ") << "the oldest went first";
  EXPECT_EQ(kept.back().substr(0, 4), "399 ") << "the newest is kept";
  EXPECT_EQ(kept.size(), state->messages);
}

TEST(LogStreamOwner, TheStreamFollowsTheConfigWhenItChanges) {
  test::NatsServer nats{jetstream_on()};
  sdk::BusPtr bus = sdk::connect_bus(nats.options());
  auto js = bus->jetstream();
  sdk::Subjects subjects("owner-test", "n");
  auto log = spdlog::default_logger();
  logging::Settings settings;
  settings.max_age = 1h;
  settings.max_bytes = 1 << 20;
  settings.replicas = 0;
  settings.duplicate_window = 1min;
  auto first = logging::LogStreamOwner(*js, subjects, settings, *log).ensure();
  EXPECT_EQ(first.max_bytes, 1 << 20);
  EXPECT_EQ(first.replicas, 1);
  settings.max_bytes = 2 << 20;
  settings.max_age = 2h;
  logging::LogStreamOwner(*js, subjects, settings, *log).ensure();
  auto state = js->stream_state(subjects.log_stream());
  ASSERT_TRUE(state);
  EXPECT_EQ(state->max_bytes, 2 << 20);
  EXPECT_EQ(state->max_age, 2h);
  settings.replicas = 3;
  try {
    logging::LogStreamOwner(*js, subjects, settings, *log).ensure();
    ADD_FAILURE() << "3 replicas on one server must be refused";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 400) << e.status().message;
  }
}

}  // namespace
