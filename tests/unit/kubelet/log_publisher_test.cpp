// The publisher on a real nats-server with JetStream: acknowledged publishes, the disk buffer
// while the log stream is missing, drained in order once it exists, positions moved either way,
// and drops counted only when the buffer is full.
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "log_publisher.hpp"
#include "nats_server.hpp"
#include "skiff/sdk/jetstream.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"

namespace {

skiff::test::NatsServerSettings with_jetstream() {
  skiff::test::NatsServerSettings settings;
  settings.jetstream = true;
  return settings;
}

using namespace skiff;
using namespace skiff::kubelet;
using namespace std::chrono_literals;

class LogPublisherTest : public ::testing::Test {
 protected:
  test::NatsServer nats{with_jetstream()};
  sdk::BusPtr bus = sdk::connect_bus(nats.options());
  std::unique_ptr<sdk::JetStream> js = bus->jetstream();
  test::TempDir dir;
  sdk::Metrics metrics;
  ShipperCounters counters{metrics};
  std::shared_ptr<spdlog::logger> log = std::make_shared<spdlog::logger>("ship", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  LogPositions positions{dir.file("positions")};

  void make_stream() {
    sdk::StreamSettings s;
    s.name = "SKIFF_LOGS_test";
    s.subjects = {"skiff.test.logs.>"};
    js->ensure_stream(s);
  }
  static std::vector<ShipRecord> batch(int from, int count) {
    std::vector<ShipRecord> out;
    for (int n = from; n < from + count; ++n) {
      ShipRecord r;
      r.subject = "skiff.test.logs.ns.uid.c";
      r.message_id = "uid/c/0/" + std::to_string(n) + ".0";
      r.data = "line " + std::to_string(n);
      r.container_id = "c1";
      r.position = {n, 1};
      out.push_back(r);
    }
    return out;
  }
  std::vector<std::string> stored() {
    std::vector<std::string> out;
    for (const auto& m : js->read("SKIFF_LOGS_test", "", sdk::ReadFrom::first(), 100000)) out.push_back(m.data);
    return out;
  }
};

TEST_F(LogPublisherTest, LinesAreStoredWithAcksAndThePositionSaved) {
  make_stream();
  LogDiskBuffer buffer(dir.file("buffer"), 1 << 20);
  LogPublisher publisher(*js, buffer, positions, counters, *log, 2s);
  publisher.ship(batch(0, 10));
  publisher.ship(batch(0, 10));  // sent again (a crash before the position was saved): deduplicated
  EXPECT_EQ(stored().size(), 10u);
  EXPECT_EQ(stored().back(), "line 9");
  EXPECT_EQ(LogPositions(dir.file("positions")).get("c1"), (LogPosition{9, 1})) << "saved on disk";
  EXPECT_EQ(counters.shipped.value(), 20);
  EXPECT_EQ(counters.buffered.value(), 0);
}

TEST_F(LogPublisherTest, WhileTheStreamIsMissingLinesWaitOnDiskAndGoInOrderOnceItIsThere) {
  LogDiskBuffer buffer(dir.file("buffer"), 1 << 20);
  LogPublisher publisher(*js, buffer, positions, counters, *log, 1s);
  publisher.ship(batch(0, 10));
  EXPECT_TRUE(publisher.stream_away());
  EXPECT_EQ(counters.buffered.value(), 10);
  EXPECT_EQ(positions.get("c1"), (LogPosition{9, 1})) << "lines kept on disk count as stored";
  make_stream();
  publisher.ship(batch(10, 5));  // may still queue behind the buffer
  ASSERT_TRUE(test::wait_until([&] { return publisher.drain(); }, 10s));
  auto lines = stored();
  ASSERT_EQ(lines.size(), 15u);
  for (int n = 0; n < 15; ++n) EXPECT_EQ(lines[n], "line " + std::to_string(n));
  EXPECT_FALSE(publisher.stream_away());
  EXPECT_EQ(counters.buffered.value(), 0);
  EXPECT_EQ(counters.dropped.value(), 0);
}

TEST_F(LogPublisherTest, AFullBufferDropsNewLinesAndCountsThem) {
  LogDiskBuffer buffer(dir.file("buffer"), 4096, 4096);
  LogPublisher publisher(*js, buffer, positions, counters, *log, 1s);
  publisher.ship(batch(0, 200));
  EXPECT_GT(counters.dropped.value(), 0);
  EXPECT_EQ(counters.buffered.value() + counters.dropped.value(), 200);
  EXPECT_LE(counters.buffer_bytes.value(), 4096);
  EXPECT_NE(metrics.prometheus_text().find("skiff_log_lines_dropped_total"), std::string::npos);
  make_stream();
  ASSERT_TRUE(test::wait_until([&] { return publisher.drain(); }, 10s));
  auto lines = stored();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "line 0") << "the oldest were kept, the newest dropped";
}

}  // namespace
