// UdpBatch on real sockets on 127.0.0.1: a backlog read as full and partial batches, each reply
// back to its own sender, and a reply to an address the kernel refuses skipped.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <string>

#include "udp_batch.hpp"
#include "zone_fixture.hpp"

namespace skiff::dns::test {
namespace {

namespace asio = boost::asio;
using udp = asio::ip::udp;

std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

std::string text_of(std::span<const std::uint8_t> bytes) { return {bytes.begin(), bytes.end()}; }

class DnsUdpBatch : public ::testing::Test {
 protected:
  DnsUdpBatch() : server(io, {ip("127.0.0.1"), 0}) {
    for (auto& client : clients) client.bind({ip("127.0.0.1"), 0});
  }

  // Datagram i ("query i") from client i % 3, all queued at the server before it reads.
  void send_backlog(int count) {
    for (int i = 0; i < count; ++i) clients[i % 3].send_to(asio::buffer("query " + std::to_string(i)), server.local_endpoint());
  }

  // The next datagram at `client`, or "" after 5 s.
  std::string receive_at(udp::socket& client) {
    std::array<char, 256> buffer{};
    std::string received;
    client.async_receive(asio::buffer(buffer), [&](boost::system::error_code error, std::size_t size) {
      if (!error) received.assign(buffer.data(), size);
    });
    io.restart();
    io.run_for(std::chrono::seconds(5));
    return received;
  }

  asio::io_context io;
  udp::socket server;
  std::array<udp::socket, 3> clients{udp::socket(io, udp::v4()), udp::socket(io, udp::v4()), udp::socket(io, udp::v4())};
  UdpBatch batch;
};

TEST_F(DnsUdpBatch, ReadsABacklogInFullBatchesThenWhatIsLeft) {
  send_backlog(150);
  std::vector<std::size_t> counts;
  int next = 0;
  while (auto count = batch.receive(server.native_handle())) {
    counts.push_back(count);
    for (std::size_t i = 0; i < count; ++i, ++next) {
      EXPECT_EQ(text_of(batch.datagram(i)), "query " + std::to_string(next));
      EXPECT_EQ(batch.sender(i), clients[next % 3].local_endpoint()) << next;
    }
  }
  EXPECT_EQ(counts, (std::vector<std::size_t>{64, 64, 22}));
  EXPECT_EQ(batch.receive(server.native_handle()), 0u) << "nothing waits: no blocking, no datagram";
}

TEST_F(DnsUdpBatch, SendsEachReplyToItsSender) {
  send_backlog(9);
  ASSERT_EQ(batch.receive(server.native_handle()), 9u);
  for (std::size_t i = 0; i < 9; ++i) {
    if (i == 4) continue;  // a datagram left unanswered
    batch.reply(i, bytes_of("answer to " + text_of(batch.datagram(i))));
  }
  batch.flush(server.native_handle());
  for (int i = 0; i < 9; ++i) {
    if (i == 4) continue;
    EXPECT_EQ(receive_at(clients[i % 3]), "answer to query " + std::to_string(i));
  }
  clients[1].non_blocking(true);
  std::array<char, 64> buffer{};
  boost::system::error_code nothing_more;
  clients[1].receive(asio::buffer(buffer), 0, nothing_more);
  EXPECT_EQ(nothing_more, asio::error::would_block) << "query 4 got no answer";
}

TEST_F(DnsUdpBatch, SkipsAReplyTheKernelRefusesAndSendsTheRest) {
  send_backlog(3);
  ASSERT_EQ(batch.receive(server.native_handle()), 3u);
  batch.reply(0, bytes_of("first"));
  batch.reply(1, std::vector<std::uint8_t>(70000, 'x'));  // above any UDP payload: EMSGSIZE
  batch.reply(2, bytes_of("third"));
  batch.flush(server.native_handle());
  EXPECT_EQ(receive_at(clients[0]), "first");
  EXPECT_EQ(receive_at(clients[2]), "third");
}

}  // namespace
}  // namespace skiff::dns::test
