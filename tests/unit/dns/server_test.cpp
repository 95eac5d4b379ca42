// The server over real sockets on 127.0.0.1: UDP and TCP (several queries on one connection),
// truncation then TCP, forwarding to a fake upstream, idle TCP connections closed, and kdig.
#include <gtest/gtest.h>
#include "knot.hpp"

#include <boost/asio.hpp>
#include <filesystem>
#include <functional>
#include <map>

#include "command.hpp"
#include "dns_server.hpp"
#include "fake_upstream.hpp"
#include "skiff/testing/process.hpp"
#include "upstream_forwarder.hpp"
#include "wait.hpp"
#include "zone_fixture.hpp"

namespace skiff::dns::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// One UDP query and its answer, or nullopt after `timeout`.
std::optional<Message> ask_udp(std::uint16_t port, const std::vector<std::uint8_t>& query, std::chrono::milliseconds timeout = 5s) {
  asio::io_context io;
  asio::ip::udp::socket socket(io, asio::ip::udp::v4());
  socket.connect({ip("127.0.0.1"), port});
  socket.send(asio::buffer(query));
  std::vector<std::uint8_t> buffer(65535);
  std::optional<Message> answer;
  socket.async_receive(asio::buffer(buffer), [&](boost::system::error_code error, std::size_t size) {
    if (!error) answer = parse_message({buffer.data(), size});
  });
  io.run_for(timeout);
  return answer;
}

// Sends every query on one TCP connection, then reads as many answers.
std::vector<Message> ask_tcp(std::uint16_t port, const std::vector<std::vector<std::uint8_t>>& queries) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({ip("127.0.0.1"), port});
  std::vector<std::uint8_t> out;
  for (const auto& query : queries) {
    out.push_back(static_cast<std::uint8_t>(query.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(query.size() & 0xff));
    out.insert(out.end(), query.begin(), query.end());
  }
  asio::write(socket, asio::buffer(out));
  std::vector<Message> answers;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    std::array<std::uint8_t, 2> length{};
    asio::read(socket, asio::buffer(length));
    std::vector<std::uint8_t> message(std::size_t(length[0]) << 8 | length[1]);
    asio::read(socket, asio::buffer(message));
    if (auto parsed = parse_message(message)) answers.push_back(*parsed);
  }
  return answers;
}

class DnsServing : public ::testing::Test {
 protected:
  DnsServing() : zone(test_zone_config()), responder(zone, {true, 1232}), forwarder({{{ip("127.0.0.1"), upstream.port()}}}, metrics) {
    zone.upsert_service(cluster_ip_service("shop", "web", {"10.96.0.12"}, {{"http", PortProtocol::TCP, 80}}));
    std::vector<ServiceEndpoint> endpoints;
    for (int i = 1; i <= 60; ++i) endpoints.push_back(endpoint("10.244.2." + std::to_string(i)));
    zone.upsert_service(headless_service("shop", "big", endpoints));
    upstream.set("api.example.com", FakeUpstream::Behaviour::Answer, {{"api.example.com", "192.0.2.10"}});
    port = static_cast<std::uint16_t>(skiff::test::free_port());
    ServerConfig config;
    config.listen = {{ip("127.0.0.1"), port}};
    config.workers = 2;
    config.tcp_idle_timeout = 300ms;
    server = std::make_unique<DnsServer>(config, responder, &forwarder, metrics);
    server->start();
  }

  FakeUpstream upstream;
  CountingMetrics metrics;
  ClusterZone zone;
  Responder responder;
  UpstreamForwarder forwarder;
  std::uint16_t port = 0;
  std::unique_ptr<DnsServer> server;
};

TEST_F(DnsServing, AnswersOverUdp) {
  auto answer = ask_udp(port, make_query("web.shop.svc.cluster.local", KNOT_RRTYPE_A));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->answers(KNOT_RRTYPE_A), std::vector<std::string>{"10.96.0.12"});
  EXPECT_EQ(metrics.snapshot().udp, 1u);
  EXPECT_EQ(metrics.snapshot().by_qtype[KNOT_RRTYPE_A], 1u);
}

// 500 queries from 5 sockets, each keeping 32 unanswered: the server's socket holds up to 160
// datagrams at once (fewer than its receive buffer takes), read in full and partial batches,
// with forwarded queries answered later among them.
TEST_F(DnsServing, AnswersEveryQueryOfABurstFromSeveralSockets) {
  constexpr int kSockets = 5, kPerSocket = 100, kWindow = 32;
  auto query_for = [](int id) {
    if (id % 10 == 9) return make_query("api.example.com", KNOT_RRTYPE_A, {.id = static_cast<std::uint16_t>(id)});
    if (id % 10 == 5) return make_query("nope" + std::to_string(id) + ".shop.svc.cluster.local", KNOT_RRTYPE_A, {.id = static_cast<std::uint16_t>(id)});
    return make_query("web.shop.svc.cluster.local", KNOT_RRTYPE_A, {.id = static_cast<std::uint16_t>(id)});
  };
  struct Client {
    asio::ip::udp::socket socket;
    std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(65535);
    int next = 0;  // of this socket's kPerSocket queries
  };
  asio::io_context io;
  std::vector<std::unique_ptr<Client>> clients;
  std::map<int, Message> answers;  // by ID
  int misdelivered = 0;
  std::function<void(int)> send_next = [&](int c) {
    auto& client = *clients[c];
    if (client.next == kPerSocket) return;
    client.socket.send(asio::buffer(query_for(c * kPerSocket + client.next++)));
  };
  std::function<void(int)> receive = [&](int c) {
    auto& client = *clients[c];
    client.socket.async_receive(asio::buffer(client.buffer), [&, c](boost::system::error_code error, std::size_t size) {
      if (error) return;
      auto answer = parse_message({clients[c]->buffer.data(), size});
      if (answer && answer->id / kPerSocket == c) answers[answer->id] = *answer;
      else ++misdelivered;
      if (static_cast<int>(answers.size()) == kSockets * kPerSocket) return io.stop();
      send_next(c);
      receive(c);
    });
  };
  for (int c = 0; c < kSockets; ++c) {
    clients.push_back(std::make_unique<Client>(Client{asio::ip::udp::socket(io, asio::ip::udp::v4())}));
    clients.back()->socket.connect({ip("127.0.0.1"), port});
  }
  for (int i = 0; i < kWindow; ++i) {
    for (int c = 0; c < kSockets; ++c) send_next(c);
  }
  for (int c = 0; c < kSockets; ++c) receive(c);
  io.run_for(30s);

  EXPECT_EQ(misdelivered, 0);
  ASSERT_EQ(answers.size(), static_cast<std::size_t>(kSockets * kPerSocket)) << "unanswered queries";
  for (const auto& [id, answer] : answers) {
    if (id % 10 == 9) EXPECT_EQ(answer.answers(KNOT_RRTYPE_A), std::vector<std::string>{"192.0.2.10"}) << id;
    else if (id % 10 == 5) EXPECT_EQ(answer.rcode, KNOT_RCODE_NXDOMAIN) << id;
    else EXPECT_EQ(answer.answers(KNOT_RRTYPE_A), std::vector<std::string>{"10.96.0.12"}) << id;
  }
  EXPECT_EQ(metrics.snapshot().udp, static_cast<std::uint64_t>(kSockets * kPerSocket));
}

TEST_F(DnsServing, AnswersSeveralQueriesOnOneTcpConnection) {
  auto answers = ask_tcp(port, {make_query("web.shop.svc.cluster.local", KNOT_RRTYPE_A, {.id = 1}),
                                make_query("_http._tcp.web.shop.svc.cluster.local", KNOT_RRTYPE_SRV, {.id = 2}),
                                make_query("api.example.com", KNOT_RRTYPE_A, {.id = 3}),
                                make_query("nope.shop.svc.cluster.local", KNOT_RRTYPE_A, {.id = 4})});
  ASSERT_EQ(answers.size(), 4u);
  std::map<std::uint16_t, Message> by_id;
  for (auto& answer : answers) by_id[answer.id] = answer;
  EXPECT_EQ(by_id[1].answers(KNOT_RRTYPE_A), std::vector<std::string>{"10.96.0.12"});
  EXPECT_EQ(by_id[2].answers(KNOT_RRTYPE_SRV).size(), 1u);
  EXPECT_EQ(by_id[3].answers(KNOT_RRTYPE_A), std::vector<std::string>{"192.0.2.10"});
  EXPECT_EQ(by_id[4].rcode, KNOT_RCODE_NXDOMAIN);
  auto snapshot = metrics.snapshot();
  EXPECT_EQ(snapshot.tcp, 4u);
  EXPECT_EQ(snapshot.by_rcode[KNOT_RCODE_NXDOMAIN], 1u);
}

TEST_F(DnsServing, TruncatesOverUdpAndAnswersInFullOverTcp) {
  auto udp = ask_udp(port, make_query("big.shop.svc.cluster.local", KNOT_RRTYPE_A));
  ASSERT_TRUE(udp);
  EXPECT_TRUE(udp->tc);
  EXPECT_LE(udp->size, 512u);
  auto tcp = ask_tcp(port, {make_query("big.shop.svc.cluster.local", KNOT_RRTYPE_A)});
  ASSERT_EQ(tcp.size(), 1u);
  EXPECT_FALSE(tcp[0].tc);
  EXPECT_EQ(tcp[0].answer.size(), 60u);
}

TEST_F(DnsServing, ForwardsOtherNamesToTheUpstream) {
  auto answer = ask_udp(port, make_query("Api.Example.Com", KNOT_RRTYPE_A));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->answers(KNOT_RRTYPE_A), std::vector<std::string>{"192.0.2.10"});
  EXPECT_EQ(answer->answer.at(0).owner, "Api.Example.Com.") << "the client's case";
  EXPECT_TRUE(answer->ra);
  EXPECT_FALSE(answer->aa);
  auto missing = ask_udp(port, make_query("missing.example", KNOT_RRTYPE_A));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->rcode, KNOT_RCODE_NXDOMAIN);
  EXPECT_EQ(missing->authority.size(), 1u) << "the upstream's SOA comes along";
}

TEST_F(DnsServing, ShortCircuitsAKnownPodsSearchInOneRoundTrip) {
  zone.upsert_pod(pod("shop", "client", "127.0.0.1"));  // the test is the pod
  auto answer = ask_udp(port, make_query("api.example.com.shop.svc.cluster.local", KNOT_RRTYPE_A));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->rcode, KNOT_RCODE_NOERROR);
  ASSERT_EQ(answer->answer.size(), 2u);
  EXPECT_EQ(answer->answer[0].owner, "api.example.com.shop.svc.cluster.local.");
  EXPECT_EQ(answer->answer[0].data, "api.example.com.");
  EXPECT_EQ(answer->answer[1].data, "192.0.2.10");
  EXPECT_EQ(metrics.snapshot().short_circuits, 1u);
  EXPECT_EQ(ask_udp(port, make_query("gone.example.shop.svc.cluster.local", KNOT_RRTYPE_A))->rcode, KNOT_RCODE_NXDOMAIN)
      << "nothing at the end of the search: the plain answer";
  EXPECT_EQ(metrics.snapshot().short_circuits, 1u);
}

TEST_F(DnsServing, MalformedDatagramsGetFormerrOrNothing) {
  auto query = make_query("web.shop.svc.cluster.local", KNOT_RRTYPE_A);
  query.resize(query.size() - 2);
  auto formerr = ask_udp(port, query);
  ASSERT_TRUE(formerr);
  EXPECT_EQ(formerr->rcode, KNOT_RCODE_FORMERR);
  std::vector<std::uint8_t> garbage{1, 2, 3};
  EXPECT_FALSE(ask_udp(port, garbage, 300ms)) << "too short to answer";
  EXPECT_TRUE(ask_udp(port, make_query("web.shop.svc.cluster.local", KNOT_RRTYPE_A))) << "still serving";
}

TEST_F(DnsServing, IdleTcpConnectionsAreClosed) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({ip("127.0.0.1"), port});
  ASSERT_TRUE(skiff::test::wait_until([&] { return server->tcp_connections() == 1; }, 5s));
  ASSERT_TRUE(skiff::test::wait_until([&] { return server->tcp_connections() == 0; }, 5s)) << "idle timeout is 300 ms";
  std::array<std::uint8_t, 1> byte{};
  boost::system::error_code error;
  socket.read_some(asio::buffer(byte), error);
  EXPECT_EQ(error, asio::error::eof);
}

TEST_F(DnsServing, RefusesToStartOnAPortTakenByAnotherServer) {
  asio::io_context io;
  asio::ip::udp::socket taken(io, asio::ip::udp::v4());
  taken.bind({ip("127.0.0.1"), 0});  // no SO_REUSEPORT: nobody may share it
  ServerConfig config;
  config.listen = {{ip("127.0.0.1"), taken.local_endpoint().port()}};
  DnsServer second(config, responder, &forwarder, metrics);
  try {
    second.start();
    FAIL() << "started on a taken port";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot listen on 127.0.0.1:"), std::string::npos) << error.what();
  }
}

TEST_F(DnsServing, PortZeroPicksOnePortForUdpAndTcp) {
  ServerConfig config;
  config.listen = {{ip("127.0.0.1"), 0}};
  config.workers = 3;
  DnsServer any_port(config, responder, &forwarder, metrics);
  any_port.start();
  auto bound = any_port.bound();
  ASSERT_EQ(bound.size(), 1u);
  ASSERT_NE(bound[0].port, 0);
  auto udp = ask_udp(bound[0].port, make_query("web.shop.svc.cluster.local", KNOT_RRTYPE_A));
  ASSERT_TRUE(udp);
  EXPECT_EQ(udp->answers(KNOT_RRTYPE_A), std::vector<std::string>{"10.96.0.12"});
  EXPECT_EQ(ask_tcp(bound[0].port, {make_query("web.shop.svc.cluster.local", KNOT_RRTYPE_A)}).size(), 1u);
}

// kdig (knot-dnsutils, a test package) asking the server as any client on the node would.
TEST_F(DnsServing, KdigResolvesThroughIt) {
  if (!std::filesystem::exists("/usr/bin/kdig")) GTEST_SKIP() << "kdig missing: scripts/deps.sh test installs knot-dnsutils";
  auto kdig = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{"/usr/bin/kdig", "@127.0.0.1", "-p", std::to_string(port), "+short", "+timeout=5"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = skiff::test::run_command(argv, {}, 30s);
    EXPECT_EQ(result.exit_code, 0) << result.both();
    return result.out;
  };
  EXPECT_EQ(kdig({"web.shop.svc.cluster.local", "A"}), "10.96.0.12\n");
  EXPECT_EQ(kdig({"+tcp", "_http._tcp.web.shop.svc.cluster.local", "SRV"}), "0 100 80 web.shop.svc.cluster.local.\n");
  EXPECT_EQ(kdig({"-x", "10.96.0.12"}), "web.shop.svc.cluster.local.\n");
  EXPECT_EQ(kdig({"api.example.com", "A"}), "192.0.2.10\n");
  auto big = skiff::test::run_command({"/usr/bin/kdig", "@127.0.0.1", "-p", std::to_string(port), "+noedns", "big.shop.svc.cluster.local", "A"});
  EXPECT_NE(big.both().find("truncated reply from 127.0.0.1@" + std::to_string(port) + "(UDP), retrying over TCP"), std::string::npos) << big.both();
  EXPECT_NE(big.out.find("(TCP)"), std::string::npos) << big.both();
  EXPECT_NE(big.out.find("ANSWER: 60"), std::string::npos) << big.both();
  auto status = skiff::test::run_command({"/usr/bin/kdig", "@127.0.0.1", "-p", std::to_string(port), "nope.svc.cluster.local"});
  EXPECT_NE(status.out.find("status: NXDOMAIN"), std::string::npos) << status.out;
}

}  // namespace
}  // namespace skiff::dns::test
