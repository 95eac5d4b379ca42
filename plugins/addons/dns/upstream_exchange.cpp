// UDP on a connected socket (the kernel drops datagrams from anyone else); TCP with the
// two-byte length prefix of RFC 1035 §4.2.2. One timer bounds each transport.
#include "upstream_exchange.hpp"

#include <boost/asio.hpp>
#include <memory>

#include "dns_message.hpp"

namespace skiff::dns {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using tcp = asio::ip::tcp;

namespace {

struct QuestionView {
  PacketPtr packet;
  std::vector<std::uint8_t> bytes;
};

std::optional<QuestionView> question_of(std::span<const std::uint8_t> message) {
  if (message.size() < KNOT_WIRE_HEADER_SIZE || message.size() > KNOT_WIRE_MAX_PKTSIZE) return std::nullopt;
  QuestionView view;
  view.bytes.assign(message.begin(), message.end());
  view.packet.reset(knot_pkt_new(view.bytes.data(), static_cast<std::uint16_t>(view.bytes.size()), nullptr));
  if (!view.packet || knot_pkt_parse_question(view.packet.get()) != KNOT_EOK) return std::nullopt;
  return view;
}

class TcpExchange : public std::enable_shared_from_this<TcpExchange> {
 public:
  TcpExchange(asio::io_context& io, const UpstreamServer& server, std::vector<std::uint8_t> query,
              std::chrono::milliseconds timeout, std::function<void(ExchangeResult)> done)
      : socket_(io), timer_(io), server_(server), query_(std::move(query)), timeout_(timeout), done_(std::move(done)) {}

  void start() {
    auto self = shared_from_this();
    timer_.expires_after(timeout_);
    timer_.async_wait([self](boost::system::error_code error) {
      if (!error) self->finish({false, {}, true, "no TCP answer within the timeout"});
    });
    framed_.resize(2);
    framed_[0] = static_cast<std::uint8_t>(query_.size() >> 8);
    framed_[1] = static_cast<std::uint8_t>(query_.size() & 0xff);
    framed_.insert(framed_.end(), query_.begin(), query_.end());
    socket_.async_connect({server_.address, server_.port}, [self](boost::system::error_code error) {
      if (error) return self->finish({false, {}, true, "TCP connect: " + error.message()});
      asio::async_write(self->socket_, asio::buffer(self->framed_), [self](boost::system::error_code error, std::size_t) {
        if (error) return self->finish({false, {}, true, "TCP write: " + error.message()});
        self->read_length();
      });
    });
  }

 private:
  void read_length() {
    auto self = shared_from_this();
    asio::async_read(socket_, asio::buffer(length_), [self](boost::system::error_code error, std::size_t) {
      if (error) return self->finish({false, {}, true, "TCP read: " + error.message()});
      self->response_.resize(static_cast<std::size_t>(self->length_[0]) << 8 | self->length_[1]);
      asio::async_read(self->socket_, asio::buffer(self->response_), [self](boost::system::error_code error, std::size_t) {
        if (error) return self->finish({false, {}, true, "TCP read: " + error.message()});
        if (!answers(self->query_, self->response_)) return self->finish({false, {}, true, "TCP answer to another question"});
        self->finish({true, std::move(self->response_), true, {}});
      });
    });
  }

  void finish(ExchangeResult result) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
    done_(std::move(result));
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  UpstreamServer server_;
  std::vector<std::uint8_t> query_, framed_, response_;
  std::array<std::uint8_t, 2> length_{};
  std::chrono::milliseconds timeout_;
  std::function<void(ExchangeResult)> done_;
  bool finished_ = false;
};

class UdpExchange : public std::enable_shared_from_this<UdpExchange> {
 public:
  UdpExchange(asio::io_context& io, const UpstreamServer& server, std::vector<std::uint8_t> query,
              std::chrono::milliseconds timeout, std::function<void(ExchangeResult)> done)
      : io_(io), socket_(io), timer_(io), server_(server), query_(std::move(query)), timeout_(timeout), done_(std::move(done)) {}

  void start() {
    boost::system::error_code error;
    socket_.open(server_.address.is_v4() ? udp::v4() : udp::v6(), error);
    if (!error) socket_.connect({server_.address, server_.port}, error);
    if (error) return finish({false, {}, false, "UDP socket: " + error.message()});
    auto self = shared_from_this();
    timer_.expires_after(timeout_);
    timer_.async_wait([self](boost::system::error_code error) {
      if (!error) self->finish({false, {}, false, "no UDP answer within the timeout"});
    });
    socket_.async_send(asio::buffer(query_), [self](boost::system::error_code error, std::size_t) {
      if (error) return self->finish({false, {}, false, "UDP send: " + error.message()});
      self->receive();
    });
  }

 private:
  void receive() {
    auto self = shared_from_this();
    response_.resize(KNOT_WIRE_MAX_PKTSIZE);
    socket_.async_receive(asio::buffer(response_), [self](boost::system::error_code error, std::size_t size) {
      if (error) return self->finish({false, {}, false, "UDP receive: " + error.message()});
      self->response_.resize(size);
      if (!answers(self->query_, self->response_)) return self->receive();  // stray or forged: keep waiting
      if (knot_wire_get_tc(self->response_.data())) return self->retry_over_tcp();
      self->finish({true, std::move(self->response_), false, {}});
    });
  }

  void retry_over_tcp() {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
    std::make_shared<TcpExchange>(io_, server_, std::move(query_), timeout_, std::move(done_))->start();
  }

  void finish(ExchangeResult result) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
    done_(std::move(result));
  }

  asio::io_context& io_;
  udp::socket socket_;
  asio::steady_timer timer_;
  UpstreamServer server_;
  std::vector<std::uint8_t> query_, response_;
  std::chrono::milliseconds timeout_;
  std::function<void(ExchangeResult)> done_;
  bool finished_ = false;
};

}  // namespace

bool answers(std::span<const std::uint8_t> query, std::span<const std::uint8_t> response) {
  auto asked = question_of(query);
  auto answered = question_of(response);
  if (!asked || !answered || !knot_wire_get_qr(answered->bytes.data())) return false;
  if (knot_wire_get_id(asked->bytes.data()) != knot_wire_get_id(answered->bytes.data())) return false;
  return knot_pkt_qtype(asked->packet.get()) == knot_pkt_qtype(answered->packet.get()) &&
         knot_pkt_qclass(asked->packet.get()) == knot_pkt_qclass(answered->packet.get()) &&
         knot_dname_is_equal(knot_pkt_qname(asked->packet.get()), knot_pkt_qname(answered->packet.get()));
}

void exchange(asio::io_context& io, const UpstreamServer& server, std::vector<std::uint8_t> query,
              std::chrono::milliseconds timeout, std::function<void(ExchangeResult)> done) {
  std::make_shared<UdpExchange>(io, server, std::move(query), timeout, std::move(done))->start();
}

}  // namespace skiff::dns
