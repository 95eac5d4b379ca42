// One TCP client connection (RFC 7766): length-prefixed queries read one after another,
// answered as they complete (possibly out of order), closed after an idle time or on EOF.
#pragma once

#include <boost/asio.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>

#include "dns_metrics.hpp"
#include "forwarder.hpp"
#include "responder.hpp"

namespace skiff::dns {

struct TcpSessionContext {
  const Responder& responder;
  Forwarder* forwarder;
  DnsMetrics& metrics;
  std::chrono::milliseconds idle_timeout;
  std::weak_ptr<boost::asio::io_context> io;  // the session's own, held weakly (see DnsServer)
  std::function<void()> closed;  // runs once when the connection is gone
};

class TcpSession : public std::enable_shared_from_this<TcpSession> {
 public:
  TcpSession(boost::asio::ip::tcp::socket socket, TcpSessionContext context);
  void start();
  void close();

 private:
  void arm_idle_timer();
  void read_length();
  void read_message(std::size_t size);
  void handle(std::vector<std::uint8_t> message);
  void send(const Reply& reply);
  void write_next();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer idle_timer_;
  TcpSessionContext context_;
  std::optional<IpAddress> peer_;
  std::array<std::uint8_t, 2> length_{};
  std::vector<std::uint8_t> message_;
  std::deque<std::vector<std::uint8_t>> outgoing_;
  std::size_t in_flight_ = 0;  // queries waiting for the upstream
  bool reading_done_ = false;
  bool closed_ = false;
};

}  // namespace skiff::dns
