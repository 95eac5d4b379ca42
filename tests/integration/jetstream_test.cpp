// The SDK's JetStream against a real nats-server with JetStream: streams made and resized,
// acknowledged and deduplicated publishes, reading by subject filter from a sequence or a time,
// following new messages in order, retention by bytes, and clear errors without JetStream.
#include <gtest/gtest.h>

#include <mutex>

#include "nats_server.hpp"
#include "skiff/sdk/jetstream.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

class JetStreamTest : public ::testing::Test {
 protected:
  test::NatsServer server{{.jetstream = true}};
  sdk::BusPtr bus = sdk::connect_bus(server.options());
  std::unique_ptr<sdk::JetStream> js = bus->jetstream();

  sdk::StreamSettings logs() {
    sdk::StreamSettings s;
    s.name = "LOGS";
    s.subjects = {"logs.>"};
    return s;
  }
  static std::vector<std::string> data_of(const std::vector<sdk::StoredMessage>& messages) {
    std::vector<std::string> out;
    for (const auto& m : messages) out.push_back(m.data);
    return out;
  }
};

TEST_F(JetStreamTest, PublishedMessagesAreReadBackBySubjectFilterAndSequence) {
  js->ensure_stream(logs());
  EXPECT_EQ(js->publish("logs.a.1", "a1").sequence, 1u);
  EXPECT_EQ(js->publish("logs.b.1", "b1").sequence, 2u);
  EXPECT_EQ(js->publish("logs.a.2", "a2").sequence, 3u);
  EXPECT_EQ(data_of(js->read("LOGS", "", sdk::ReadFrom::first(), 10)), (std::vector<std::string>{"a1", "b1", "a2"}));
  auto only_a = js->read("LOGS", "logs.a.*", sdk::ReadFrom::first(), 10);
  ASSERT_EQ(data_of(only_a), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(only_a[1].subject, "logs.a.2");
  EXPECT_EQ(only_a[1].sequence, 3u);
  EXPECT_GT(only_a[1].time_unix_nano, 0);
  EXPECT_EQ(data_of(js->read("LOGS", "", sdk::ReadFrom::at_sequence(2), 10)), (std::vector<std::string>{"b1", "a2"}));
  EXPECT_EQ(data_of(js->read("LOGS", "", sdk::ReadFrom::first(), 2)), (std::vector<std::string>{"a1", "b1"}));
  EXPECT_TRUE(js->read("LOGS", "logs.none", sdk::ReadFrom::first(), 10).empty()) << "nothing matches: at once, empty";
  auto from_time = js->read("LOGS", "", sdk::ReadFrom::at_time(only_a[1].time_unix_nano), 10);
  EXPECT_EQ(data_of(from_time), (std::vector<std::string>{"a2"}));
}

// libnats writes a time's fraction without leading zeros (.050 as .5): a start time with fewer
// than nine digits of nanoseconds must still start where asked. The start chosen here is at or
// before the last message and would be written past it.
TEST_F(JetStreamTest, AStartTimeWithAShortFractionStartsWhereAsked) {
  js->ensure_stream(logs());
  js->publish("logs.a.1", "a1");
  js->publish("logs.a.2", "a2");
  auto all = js->read("LOGS", "", sdk::ReadFrom::first(), 10);
  ASSERT_EQ(all.size(), 2u);
  constexpr std::int64_t second = 1'000'000'000;
  std::int64_t fraction = all[1].time_unix_nano % second;
  std::int64_t start = all[1].time_unix_nano - fraction + (fraction < second / 10 ? fraction : fraction / 10 + 1);
  std::vector<std::string> expected;
  for (const auto& m : all)
    if (m.time_unix_nano >= start) expected.push_back(m.data);
  EXPECT_EQ(data_of(js->read("LOGS", "", sdk::ReadFrom::at_time(start), 10)), expected) << "start " << start;
  std::mutex mutex;
  std::vector<std::string> followed;
  auto follow = js->follow("LOGS", "", sdk::ReadFrom::at_time(start), [&](const sdk::StoredMessage& m) {
    std::lock_guard lock(mutex);
    followed.push_back(m.data);
  });
  EXPECT_TRUE(test::wait_until([&] {
    std::lock_guard lock(mutex);
    return followed == expected;
  }, 5s)) << followed.size();
}

TEST_F(JetStreamTest, TheSameMessageIdIsStoredOnce) {
  js->ensure_stream(logs());
  auto first = js->publish("logs.a", "x", "pod/c/0/17");
  auto again = js->publish("logs.a", "x", "pod/c/0/17");
  EXPECT_FALSE(first.duplicate);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.sequence, first.sequence);
  EXPECT_EQ(js->stream_state("LOGS")->messages, 1u);
}

std::vector<sdk::OutgoingMessage> numbered(const std::vector<std::string>& subjects) {
  std::vector<sdk::OutgoingMessage> out;
  for (std::size_t i = 0; i < subjects.size(); ++i)
    out.push_back({subjects[i], "m" + std::to_string(i), "id-" + std::to_string(i)});
  return out;
}

TEST_F(JetStreamTest, PublishManyStoresABatchInOrderAndItsIdsMakeSendingItAgainHarmless) {
  js->ensure_stream(logs());
  auto batch = numbered(std::vector<std::string>(2000, "logs.a"));
  auto result = js->publish_many(batch);
  EXPECT_TRUE(result.error.ok()) << result.error.message;
  EXPECT_EQ(result.stored, 2000u);
  auto read = js->read("LOGS", "", sdk::ReadFrom::first(), 5000);
  ASSERT_EQ(read.size(), 2000u);
  for (std::size_t i = 0; i < read.size(); ++i) ASSERT_EQ(read[i].data, "m" + std::to_string(i));
  EXPECT_EQ(js->publish_many(batch).stored, 2000u);
  EXPECT_EQ(js->stream_state("LOGS")->messages, 2000u) << "the same ids again: acknowledged, not stored twice";
}

TEST_F(JetStreamTest, PublishManyCountsOnlyWhatIsStoredBeforeTheFirstRefusal) {
  js->ensure_stream(logs());
  auto result = js->publish_many(numbered({"logs.a", "logs.b", "nowhere.c", "logs.d"}), 3s);
  EXPECT_EQ(result.stored, 2u);
  EXPECT_EQ(result.error.code, 503) << result.error.message;
  EXPECT_NE(result.error.message.find("nowhere.c"), std::string::npos) << result.error.message;
  EXPECT_TRUE(js->publish_many({}).error.ok());
}

TEST_F(JetStreamTest, FollowingSeesHistoryThenNewMessagesInOrder) {
  js->ensure_stream(logs());
  js->publish("logs.a", "old");
  std::mutex mutex;
  std::vector<std::string> seen;
  auto sub = js->follow("LOGS", "logs.a", sdk::ReadFrom::first(), [&](const sdk::StoredMessage& m) {
    std::lock_guard lock(mutex);
    seen.push_back(m.data);
  });
  for (int i = 0; i < 50; ++i) js->publish(i % 2 ? "logs.a" : "logs.b", std::to_string(i));
  auto count = [&] {
    std::lock_guard lock(mutex);
    return seen.size();
  };
  ASSERT_TRUE(test::wait_until([&] { return count() == 26; }, 10s)) << count();
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen.front(), "old");
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_EQ(seen[i], std::to_string(2 * i - 1));
}

TEST_F(JetStreamTest, RetentionByBytesDropsTheOldestAndSettingsUpdateInPlace) {
  auto settings = logs();
  settings.max_bytes = 64 * 1024;
  auto state = js->ensure_stream(settings);
  EXPECT_EQ(state.max_bytes, 64 * 1024);
  std::string kib(1024, 'x');
  for (int i = 0; i < 200; ++i) js->publish("logs.a", kib);
  state = *js->stream_state("LOGS");
  EXPECT_LE(state.bytes, 64u * 1024);
  EXPECT_GT(state.first_sequence, 1u) << "the oldest went";
  EXPECT_EQ(state.last_sequence, 200u);

  settings.max_bytes = 1024 * 1024;
  settings.max_age = std::chrono::hours(24);
  state = js->ensure_stream(settings);
  EXPECT_EQ(state.max_bytes, 1024 * 1024);
  EXPECT_EQ(state.max_age, std::chrono::hours(24));
  EXPECT_EQ(state.last_sequence, 200u) << "an update keeps what is stored";
  js->delete_stream("LOGS");
  EXPECT_FALSE(js->stream_state("LOGS").has_value());
}

TEST_F(JetStreamTest, MessagesOutliveAServerRestart) {
  js->ensure_stream(logs());
  js->publish("logs.a", "kept");
  server.restart();
  ASSERT_TRUE(test::wait_until([&] { return bus->connected(); }, 10s));
  std::vector<sdk::StoredMessage> read;
  ASSERT_TRUE(test::wait_until([&] {
    try {
      read = js->read("LOGS", "", sdk::ReadFrom::first(), 10);
    } catch (const sdk::Error&) {
      return false;  // JetStream still recovering
    }
    return !read.empty();
  }, 10s));
  EXPECT_EQ(read.front().data, "kept");
}

TEST(JetStreamWithout, AServerWithoutJetStreamAnswers503SayingHowToEnableIt) {
  test::NatsServer plain;
  auto bus = sdk::connect_bus(plain.options());
  auto js = bus->jetstream();
  try {
    sdk::StreamSettings s;
    s.name = "LOGS";
    s.subjects = {"logs.>"};
    js->ensure_stream(s);
    FAIL() << "no JetStream, yet a stream was made";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 503) << e.what();
    EXPECT_NE(std::string(e.what()).find("no JetStream"), std::string::npos) << e.what();
  }
}

TEST_F(JetStreamTest, PublishingWhereNoStreamListensIs503) {
  try {
    js->publish("nowhere.a", "x", "", 2s);
    FAIL();
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 503) << e.what();
  }
}

}  // namespace
