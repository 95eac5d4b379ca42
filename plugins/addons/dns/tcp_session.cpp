// Everything here runs on the session socket's executor; upstream completions are posted back.
#include "tcp_session.hpp"

namespace skiff::dns {

namespace asio = boost::asio;

TcpSession::TcpSession(asio::ip::tcp::socket socket, TcpSessionContext context)
    : socket_(std::move(socket)), idle_timer_(socket_.get_executor()), context_(std::move(context)) {
  boost::system::error_code error;
  auto peer = socket_.remote_endpoint(error);
  if (!error) {
    auto address = peer.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
      address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    }
    peer_ = address;
  }
}

void TcpSession::start() {
  arm_idle_timer();
  read_length();
}

void TcpSession::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  idle_timer_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  if (context_.closed) context_.closed();
}

void TcpSession::arm_idle_timer() {
  idle_timer_.expires_after(context_.idle_timeout);
  idle_timer_.async_wait([self = shared_from_this()](boost::system::error_code error) {
    if (error) return;  // re-armed or closed
    if (self->in_flight_ > 0 || !self->outgoing_.empty()) return self->arm_idle_timer();  // still busy for the client
    self->close();
  });
}

void TcpSession::read_length() {
  asio::async_read(socket_, asio::buffer(length_), [self = shared_from_this()](boost::system::error_code error, std::size_t) {
    if (self->closed_) return;
    if (error == asio::error::eof && (self->in_flight_ > 0 || !self->outgoing_.empty())) {
      self->reading_done_ = true;  // the client is done asking: answer what it asked, then close
      return;
    }
    if (error) return self->close();
    std::size_t size = static_cast<std::size_t>(self->length_[0]) << 8 | self->length_[1];
    if (size == 0) return self->close();  // nothing a query can be
    self->read_message(size);
  });
}

void TcpSession::read_message(std::size_t size) {
  message_.resize(size);
  asio::async_read(socket_, asio::buffer(message_), [self = shared_from_this()](boost::system::error_code error, std::size_t) {
    if (error || self->closed_) return self->close();
    self->arm_idle_timer();
    self->handle(std::move(self->message_));
    self->read_length();
  });
}

void TcpSession::handle(std::vector<std::uint8_t> message) {
  Outcome outcome = context_.responder.respond(message, Client{Transport::Tcp, peer_});
  if (outcome.reply) return send(*outcome.reply);
  if (!outcome.pending) return context_.metrics.dropped();
  if (!context_.forwarder) return send(context_.responder.complete(*outcome.pending, UpstreamReply{}));
  auto pending = std::make_shared<PendingReply>(std::move(*outcome.pending));
  ++in_flight_;
  std::weak_ptr<TcpSession> weak_self = shared_from_this();
  context_.forwarder->resolve(pending->question, [io = context_.io, weak_self, pending](UpstreamReply upstream) {
    auto context = io.lock();
    if (!context) return;
    asio::post(*context, [weak_self, pending, upstream = std::move(upstream)] {
      auto self = weak_self.lock();
      if (!self) return;
      --self->in_flight_;
      if (!self->closed_) self->send(self->context_.responder.complete(*pending, upstream));
    });
  });
}

void TcpSession::send(const Reply& reply) {
  context_.metrics.answered(reply.qtype, reply.rcode, Transport::Tcp, reply.truncated);
  if (reply.short_circuited) context_.metrics.short_circuited();
  std::vector<std::uint8_t> framed{static_cast<std::uint8_t>(reply.message.size() >> 8),
                                   static_cast<std::uint8_t>(reply.message.size() & 0xff)};
  framed.insert(framed.end(), reply.message.begin(), reply.message.end());
  outgoing_.push_back(std::move(framed));
  if (outgoing_.size() == 1) write_next();
}

void TcpSession::write_next() {
  asio::async_write(socket_, asio::buffer(outgoing_.front()), [self = shared_from_this()](boost::system::error_code error, std::size_t) {
    if (error) return self->close();
    self->outgoing_.pop_front();
    if (!self->outgoing_.empty()) return self->write_next();
    if (self->reading_done_ && self->in_flight_ == 0) self->close();
  });
}

}  // namespace skiff::dns
