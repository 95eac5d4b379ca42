// The proxy end to end on 127.0.0.1: host and path routing, keep-alive upstream pools and the
// retry of a closed pooled connection, round-robin, forwarding headers, the hooks, and a route
// table swapped under a looping keep-alive client.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/algorithm/string/predicate.hpp>
#include <set>
#include <thread>

#include "proxy_lab.hpp"
#include "test_client.hpp"
#include "wait.hpp"

namespace skiff::ingress::test {
namespace {

namespace http = boost::beast::http;
using skiff::test::wait_until;

// The backend's name: the first word of an echo body.
std::string served_by(const Response& response) { return response.body().substr(0, response.body().find(' ')); }

class IngressProxyRouting : public ProxyLab {};

TEST_F(IngressProxyRouting, RoutesByHostAndPath) {
  TestBackend site("site"), api("api"), wild("wild"), exact("exact");
  start();
  IngressValues exact_ingress = simple_ingress("e", "a.test", {{"/api/v1", backend_of("e", exact)}}, PathType::Exact);
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", site)}, {"/api", backend_of("a", api)}}),
              simple_ingress("w", "*.wild.test", {{"/", backend_of("w", wild)}}), exact_ingress});
  TestClient client(http_port());
  EXPECT_EQ(served_by(client.get("a.test", "/")), "site");
  EXPECT_EQ(served_by(client.get("a.test", "/apis")), "site");
  EXPECT_EQ(served_by(client.get("a.test", "/api/x?y=1")), "api");
  EXPECT_EQ(served_by(client.get("A.Test:80", "/api")), "api");
  EXPECT_EQ(served_by(client.get("a.test", "/api/v1")), "exact");
  EXPECT_EQ(served_by(client.get("a.test", "/api/v1/")), "api");
  EXPECT_EQ(served_by(client.get("x.wild.test", "/")), "wild");
  EXPECT_EQ(client.get("x.y.wild.test", "/").result_int(), 404);
  EXPECT_NE(client.get("a.test", "/api/x?y=1").body().find("GET /api/x?y=1"), std::string::npos);
}

TEST_F(IngressProxyRouting, KeepsUpstreamConnectionsAlive) {
  TestBackend server("server");
  start();
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", server)}})});
  TestClient client(http_port());
  for (int i = 0; i < 20; ++i) ASSERT_EQ(client.get("a.test", "/").result_int(), 200);
  EXPECT_EQ(server.connections_accepted(), 1u);
  // New client connections land on either worker; each worker reuses its own pool.
  for (int i = 0; i < 20; ++i) ASSERT_EQ(TestClient(http_port()).get("a.test", "/").result_int(), 200);
  EXPECT_LE(server.connections_accepted(), 2u);
  EXPECT_EQ(server.requests_served(), 40u);
}

TEST_F(IngressProxyRouting, RetriesWhenAPooledConnectionWasClosed) {
  // Every connection is dropped, unanswered, when its second request arrives.
  TestBackend flaky("flaky", [](BackendCall& call) { return call.index_on_connection == 0 && answer_echo("flaky", call); });
  start();
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", flaky)}})});
  TestClient client(http_port());
  for (int i = 0; i < 10; ++i) ASSERT_EQ(client.get("a.test", "/").result_int(), 200) << "request " << i;
  EXPECT_GE(flaky.connections_accepted(), 10u);
  // A request with a body is not replayed: the failure is reported.
  client.get("a.test", "/");
  Response post = client.send(make_request("a.test", "/", {}, http::verb::post, "payload"));
  EXPECT_EQ(post.result_int(), 502);
}

TEST_F(IngressProxyRouting, SpreadsRequestsRoundRobin) {
  TestBackend one("one"), two("two"), three("three");
  start();
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", "svc", {one.endpoint(), two.endpoint(), three.endpoint()})}})});
  TestClient client(http_port());
  std::vector<std::string> order;
  for (int i = 0; i < 9; ++i) order.push_back(served_by(client.get("a.test", "/")));
  for (int i = 0; i < 9; i += 3) {
    EXPECT_EQ(std::set<std::string>(order.begin() + i, order.begin() + i + 3).size(), 3u) << "turn " << i / 3;
  }
  EXPECT_EQ(one.requests_served(), 3u);
  EXPECT_EQ(two.requests_served(), 3u);
  EXPECT_EQ(three.requests_served(), 3u);
}

TEST_F(IngressProxyRouting, AddsForwardingHeadersAndDropsHopByHopOnes) {
  TestBackend server("server");
  start();
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", server)}})});
  TestClient client(http_port());
  std::string seen = client.get("a.test:8080", "/", {{"X-Forwarded-For", "10.1.1.1"}, {"Connection", "keep-alive, X-Secret"},
                                                     {"X-Secret", "1"}, {"Keep-Alive", "timeout=5"}, {"X-Request-Id", "abc"}})
                         .body();
  EXPECT_NE(seen.find("X-Forwarded-For: 10.1.1.1, 127.0.0.1\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("X-Forwarded-Proto: http\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("X-Forwarded-Host: a.test:8080\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("X-Forwarded-Port: " + std::to_string(http_port()) + "\n"), std::string::npos)
      << "the port the client reached, not the Host's: " << seen;
  EXPECT_NE(seen.find("X-Request-Id: abc\n"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("X-Secret"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("Keep-Alive"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("Connection"), std::string::npos) << seen;

  std::string generated = client.get("a.test", "/").body();
  auto at = generated.find("X-Request-Id: ");
  ASSERT_NE(at, std::string::npos) << generated;
  EXPECT_EQ(generated.find('\n', at) - at - 14, 32u) << generated;
}

TEST_F(IngressProxyRouting, ReportsEveryRequestToTheHooks) {
  TestBackend server("server");
  start();
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", server)}})});
  TestClient client(http_port());
  client.get("a.test", "/x?y=z");
  client.get("nowhere.test", "/");
  ASSERT_TRUE(wait_until([&] { return observer_.records().size() == 2; }));
  auto records = observer_.records();
  EXPECT_EQ(records[0].method, "GET");
  EXPECT_EQ(records[0].host, "a.test");
  EXPECT_EQ(records[0].target, "/x?y=z");
  EXPECT_EQ(records[0].status, 200u);
  EXPECT_EQ(records[0].upstream, to_string(server.endpoint()));
  ASSERT_TRUE(records[0].backend.has_value());
  EXPECT_EQ(records[0].backend->ingress_name, "a");
  EXPECT_TRUE(records[0].upstream_latency.has_value());
  EXPECT_GT(records[0].response_body_bytes, 0u);
  EXPECT_EQ(records[1].status, 404u);
  EXPECT_EQ(observer_.requests("a", 200), 1u);
  EXPECT_EQ(observer_.requests("-", 404), 1u);
  EXPECT_EQ(observer_.latencies("a"), 1u);
  std::string line = access_log_line(records[0]);
  EXPECT_TRUE(boost::starts_with(line, "GET a.test /x?y=z 200 ")) << line;
  EXPECT_NE(line.find("upstream=" + to_string(server.endpoint())), std::string::npos) << line;
}

TEST_F(IngressProxyRouting, SwapsTablesUnderAKeepAliveClientWithoutFailures) {
  TestBackend blue("blue"), green("green");
  start();
  auto table_to = [&](const TestBackend& server) { return std::vector{simple_ingress("a", "a.test", {{"/", backend_of("a", server)}})}; };
  set_routes(table_to(blue));
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> done{0}, failures{0};
  std::mutex seen_mutex;
  std::set<std::string> seen;
  std::thread looping([&] {
    try {
      TestClient client(http_port());  // one connection for the whole run
      while (!stop) {
        Response response = client.get("a.test", "/");
        if (response.result_int() != 200) ++failures;
        std::lock_guard lock(seen_mutex);
        seen.insert(served_by(response));
        ++done;
      }
    } catch (const std::exception&) {
      ++failures;
    }
  });
  int stalled_at = -1;
  for (int swap = 0; swap < 100 && failures == 0 && stalled_at < 0; ++swap) {
    set_routes(table_to(swap % 2 ? blue : green));
    std::size_t before = done;
    if (!wait_until([&] { return done > before || failures > 0; })) stalled_at = swap;
  }
  stop = true;
  looping.join();
  EXPECT_EQ(stalled_at, -1) << "the client made no request after that swap";
  EXPECT_EQ(failures, 0u);
  EXPECT_EQ(seen, (std::set<std::string>{"blue", "green"}));
}

}  // namespace
}  // namespace skiff::ingress::test
