// The SDK bus against a real nats-server: round trips, errors, queue groups, reconnects.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

#include "nats_server.hpp"
#include "skiff/kernel/v1/kernel.pb.h"
#include "skiff/sdk/bus_proto.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
using test::wait_until;

class BusTest : public ::testing::Test {
 protected:
  test::NatsServer server;
  sdk::BusPtr connect() { return sdk::connect_bus(server.options()); }
};

TEST_F(BusTest, ProtobufRequestReply) {
  auto service = connect();
  auto client = connect();
  auto sub = sdk::serve_proto<kernel::v1::Ping>(*service, "t.ping", "", [](const kernel::v1::Ping& ping, const sdk::Request&) {
    kernel::v1::Pong pong;
    pong.set_message("pong:" + ping.message());
    return pong;
  });
  kernel::v1::Ping ping;
  ping.set_message("hi");
  auto pong = sdk::call<kernel::v1::Pong>(*client, "t.ping", ping, 2s);
  EXPECT_EQ(pong.message(), "pong:hi");
}

TEST_F(BusTest, ErrorStatusTravelsInHeaders) {
  auto service = connect();
  auto client = connect();
  auto sub = service->serve("t.fail", "", [](sdk::Request) { throw sdk::Error(sdk::Status::NotFound("pods \"x\" not found")); });
  sdk::Reply reply = client->request("t.fail", "", 2s);
  EXPECT_EQ(reply.status.code, 404);
  EXPECT_EQ(reply.status.reason, "NotFound");
  EXPECT_EQ(reply.status.message, "pods \"x\" not found");
}

TEST_F(BusTest, TraceIdReachesTheHandler) {
  auto service = connect();
  auto client = connect();
  std::string seen;
  auto sub = service->serve("t.trace", "", [&](sdk::Request request) {
    seen = request.trace_id();
    request.reply("ok");
  });
  sdk::Reply reply = client->request("t.trace", "", 2s, {{std::string(sdk::header::kTraceId), "abc123"}});
  EXPECT_TRUE(reply.ok());
  EXPECT_EQ(seen, "abc123");
}

TEST_F(BusTest, AnsweringLaterFromAnotherThread) {
  auto service = connect();
  auto client = connect();
  std::vector<std::thread> workers;
  std::mutex mutex;
  auto sub = service->serve("t.async", "", [&](sdk::Request request) {
    std::lock_guard lock(mutex);
    workers.emplace_back([request] { request.reply("later"); });
  });
  sdk::Reply reply = client->request("t.async", "", 2s);
  EXPECT_TRUE(reply.ok());
  EXPECT_EQ(reply.data, "later");
  for (auto& w : workers) w.join();
}

TEST_F(BusTest, DroppedRequestAnswers500) {
  auto service = connect();
  auto client = connect();
  auto sub = service->serve("t.drop", "", [](sdk::Request) {});
  sdk::Reply reply = client->request("t.drop", "", 2s);
  EXPECT_EQ(reply.status.code, 500);
  EXPECT_NE(reply.status.message.find("without answering"), std::string::npos);
}

TEST_F(BusTest, TimeoutIs504) {
  auto service = connect();
  auto client = connect();
  std::atomic<bool> release{false};
  auto sub = service->serve("t.slow", "", [&](sdk::Request request) {
    wait_until([&] { return release.load(); }, 5s);
    request.reply("too late");
  });
  auto start = std::chrono::steady_clock::now();
  sdk::Reply reply = client->request("t.slow", "", 200ms);
  release = true;
  EXPECT_EQ(reply.status.code, 504);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(BusTest, NothingServingIs503) {
  auto client = connect();
  sdk::Reply reply = client->request("t.nobody", "", 2s);
  EXPECT_EQ(reply.status.code, 503);
  EXPECT_NE(reply.status.message.find("nothing serves t.nobody"), std::string::npos) << reply.status.message;
}

TEST_F(BusTest, QueueGroupsShareTheLoad) {
  auto a = connect();
  auto b = connect();
  auto client = connect();
  std::atomic<int> served_a{0}, served_b{0};
  auto sub_a = a->serve("t.shared", "workers", [&](sdk::Request r) {
    served_a++;
    r.reply("a");
  });
  auto sub_b = b->serve("t.shared", "workers", [&](sdk::Request r) {
    served_b++;
    r.reply("b");
  });
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(client->request("t.shared", "", 2s).ok());
  EXPECT_EQ(served_a + served_b, 200);  // each request served exactly once
  EXPECT_GT(served_a, 0);
  EXPECT_GT(served_b, 0);
}

TEST_F(BusTest, PublishSubscribeAndCancel) {
  auto bus = connect();
  std::atomic<int> received{0};
  auto sub = bus->subscribe("t.events.>", [&](const sdk::Message& m) {
    if (m.subject == "t.events.x" && m.data == "payload") received++;
  });
  bus->publish("t.events.x", "payload");
  ASSERT_TRUE(wait_until([&] { return received == 1; }));
  sub.cancel();
  EXPECT_FALSE(sub.active());
  bus->publish("t.events.x", "payload");
  bus->flush(2s);
  // A cancelled subscription's handler never runs again; a canary subscription proves delivery happened.
  std::atomic<bool> canary{false};
  auto canary_sub = bus->subscribe("t.canary", [&](const sdk::Message&) { canary = true; });
  bus->publish("t.canary", "");
  ASSERT_TRUE(wait_until([&] { return canary.load(); }));
  EXPECT_EQ(received, 1);
}

TEST_F(BusTest, ReconnectsAndResubscribesAfterServerRestart) {
  auto service = connect();
  auto client = connect();
  std::atomic<int> reconnects{0};
  auto listener = client->on_connection_event([&](sdk::ConnectionEvent e) {
    if (e == sdk::ConnectionEvent::Reconnected) reconnects++;
  });
  auto sub = service->serve("t.echo", "", [](sdk::Request r) { r.reply(r.data()); });
  ASSERT_EQ(client->request("t.echo", "one", 2s).data, "one");

  server.restart();
  ASSERT_TRUE(wait_until([&] { return reconnects > 0 && service->connected() && client->connected(); }, 15s));
  // The service's subscription was restored by the client library; give the server a moment
  // to learn it by retrying until the deadline (the request itself is the condition).
  sdk::Reply reply;
  ASSERT_TRUE(wait_until([&] {
    reply = client->request("t.echo", "two", 1s);
    return reply.ok();
  }, 10s)) << reply.status.message;
  EXPECT_EQ(reply.data, "two");
}

TEST_F(BusTest, WrongTokenIsAClearError) {
  sdk::BusOptions options = server.options();
  options.token = "wrong";
  try {
    sdk::connect_bus(options);
    FAIL() << "connected with a wrong token";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 503);
    EXPECT_NE(std::string(e.what()).find("credentials"), std::string::npos) << e.what();
  }
}

TEST_F(BusTest, UnreachableServerFailsFastWithAClearError) {
  sdk::BusOptions options = server.options();
  server.stop();
  auto start = std::chrono::steady_clock::now();
  try {
    sdk::connect_bus(options);
    FAIL() << "connected to a stopped server";
  } catch (const sdk::Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect to " + server.url()), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace

namespace {

TEST(BusSecurity, PerNodeUserCredentials) {
  test::NatsServer server({test::NatsServerSettings::Auth::Users, false, 0, {}});
  auto node1 = sdk::connect_bus(server.options());
  sdk::BusOptions node2 = server.options("node-2");
  auto other = sdk::connect_bus(node2);
  auto sub = node1->serve("t.who", "", [](sdk::Request r) { r.reply("node-1"); });
  EXPECT_EQ(other->request("t.who", "", 2s).data, "node-1");

  sdk::BusOptions wrong = server.options();
  wrong.password = node2.password;
  EXPECT_THROW(sdk::connect_bus(wrong), sdk::Error);
}

TEST(BusSecurity, TlsWithTheOperatorsCa) {
  test::NatsServer server({test::NatsServerSettings::Auth::Token, true, 0, {}});
  auto service = sdk::connect_bus(server.options());
  auto client = sdk::connect_bus(server.options());
  auto sub = service->serve("t.tls", "", [](sdk::Request r) { r.reply("secure"); });
  EXPECT_EQ(client->request("t.tls", "", 2s).data, "secure");

  // Without the CA the server's certificate is not trusted: a clear refusal, not a plain-text fallback.
  sdk::BusOptions untrusted = server.options();
  untrusted.tls_ca.clear();
  untrusted.urls = {"tls://127.0.0.1:" + std::to_string(server.port())};
  try {
    sdk::connect_bus(untrusted);
    FAIL() << "connected without trusting the server certificate";
  } catch (const sdk::Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect"), std::string::npos) << e.what();
  }
}

}  // namespace
