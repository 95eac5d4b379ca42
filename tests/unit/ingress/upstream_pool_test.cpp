// The per-worker upstream pool: connections come back out most recent first, those the
// upstream closed never do, and a sweep closes the dead and the expired of every endpoint.
#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include "upstream_pool.hpp"

namespace skiff::ingress {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A listening socket on 127.0.0.1 and the server ends of the connections made to it.
class Upstream {
 public:
  Upstream() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {}
  Endpoint endpoint() const { return {"127.0.0.1", acceptor_.local_endpoint().port()}; }
  // A client connection (for the pool) whose server end is kept here, by index.
  boost::beast::tcp_stream connect() {
    boost::beast::tcp_stream client(io_);
    client.socket().connect(acceptor_.local_endpoint());
    server_ends_.push_back(acceptor_.accept());
    return client;
  }
  void close_server_end(std::size_t index) { server_ends_.at(index).close(); }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<tcp::socket> server_ends_;
};

TEST(IngressUpstreamPool, GivesBackTheMostRecentLiveConnection) {
  Upstream upstream;
  UpstreamPool pool(PoolLimits{});
  auto first = upstream.connect();
  auto second = upstream.connect();
  auto second_port = second.socket().local_endpoint().port();
  pool.give_back(upstream.endpoint(), std::move(first));
  pool.give_back(upstream.endpoint(), std::move(second));
  auto taken = pool.take(upstream.endpoint());
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->socket().local_endpoint().port(), second_port);
  EXPECT_EQ(pool.idle_count(), 1u);
}

TEST(IngressUpstreamPool, AConnectionTheUpstreamClosedIsNotTaken) {
  Upstream upstream;
  UpstreamPool pool(PoolLimits{});
  pool.give_back(upstream.endpoint(), upstream.connect());
  upstream.close_server_end(0);
  EXPECT_FALSE(pool.take(upstream.endpoint()));
}

TEST(IngressUpstreamPool, ASweepClosesDeadConnectionsOfEveryEndpoint) {
  Upstream gone, alive;
  UpstreamPool pool(PoolLimits{});
  pool.give_back(gone.endpoint(), gone.connect());
  pool.give_back(gone.endpoint(), gone.connect());
  pool.give_back(alive.endpoint(), alive.connect());
  gone.close_server_end(0);
  gone.close_server_end(1);
  ASSERT_EQ(pool.idle_count(), 3u);
  pool.sweep();
  EXPECT_EQ(pool.idle_count(), 1u) << "the live one stays";
  EXPECT_TRUE(pool.take(alive.endpoint()));
}

TEST(IngressUpstreamPool, ASweepClosesExpiredConnections) {
  Upstream upstream;
  UpstreamPool pool(PoolLimits{32, std::chrono::milliseconds(0)});
  pool.give_back(upstream.endpoint(), upstream.connect());
  pool.sweep();
  EXPECT_EQ(pool.idle_count(), 0u);
}

}  // namespace
}  // namespace skiff::ingress
