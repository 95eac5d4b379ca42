// Workers own an io_context and a thread each; a worker's UDP sockets are served only by it.
// TCP listeners live on the first worker and hand connections to all of them in turn.
#include "dns_server.hpp"

#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <stdexcept>
#include <thread>

#include "tcp_session.hpp"
#include "udp_batch.hpp"

namespace skiff::dns {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using tcp = asio::ip::tcp;

namespace {

IpAddress unmapped(const IpAddress& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  return address;
}

template <class Socket>
void reuse_port(Socket& socket) {
  int on = 1;
  if (::setsockopt(socket.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
    throw std::runtime_error("dns: cannot set SO_REUSEPORT");
  }
}

std::string describe(const ListenAddress& listen) {
  auto host = listen.address.to_string();
  return (listen.address.is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(listen.port);
}

// Handlers queued in a worker's io_context may own listeners and sessions (and their sockets);
// nothing they own owns the io_context back, so destroying it releases everything. Upstream
// completions hold it only weakly: after a stop they find it gone and drop their answer.
struct Worker {
  std::shared_ptr<asio::io_context> io = std::make_shared<asio::io_context>();
  std::shared_ptr<UdpBatch> batch = std::make_shared<UdpBatch>();  // shared by the worker's UDP sockets, one at a time
  std::thread thread;
};

// One UDP socket on its worker: when it is readable, datagrams are read and answered in batches
// (a few syscalls per batch instead of three per answer), then the reactor waits again.
class UdpListener : public std::enable_shared_from_this<UdpListener> {
 public:
  UdpListener(const Worker& worker, udp::socket socket, const Responder& responder, Forwarder* forwarder, DnsMetrics& metrics)
      : io_(worker.io), batch_(worker.batch), socket_(std::move(socket)), responder_(responder), forwarder_(forwarder),
        metrics_(metrics) {}

  void receive() {
    socket_.async_wait(udp::socket::wait_read, [self = shared_from_this()](boost::system::error_code error) {
      if (error == asio::error::operation_aborted || !self->socket_.is_open()) return;
      self->drain();
    });
  }

  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  static constexpr int kBatchesPerTurn = 4;  // then the worker's other sockets and completions get a turn

  void drain() {
    for (int batch = 0; batch < kBatchesPerTurn; ++batch) {
      std::size_t count = batch_->receive(socket_.native_handle());
      for (std::size_t i = 0; i < count; ++i) answer(i);
      batch_->flush(socket_.native_handle());
      // Fewer than a full batch: the socket was empty; datagrams arriving since wake the reactor.
      if (count < UdpBatch::kDatagrams) return receive();
    }
    // More may wait, and the reactor will not say so again (it reports arrivals, not backlog).
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      if (self->socket_.is_open()) self->drain();
    });
  }

  void answer(std::size_t index) {
    const udp::endpoint& sender = batch_->sender(index);
    Outcome outcome = responder_.respond(batch_->datagram(index), Client{Transport::Udp, unmapped(sender.address())});
    if (outcome.reply) return queue(std::move(*outcome.reply), index);
    if (!outcome.pending) return metrics_.dropped();
    if (!forwarder_) return queue(responder_.complete(*outcome.pending, UpstreamReply{}), index);
    forward(std::make_shared<PendingReply>(std::move(*outcome.pending)), sender);
  }

  void queue(Reply reply, std::size_t index) {
    count_answer(reply);
    batch_->reply(index, std::move(reply.message));
  }

  // The upstream answers later, on its own thread: the reply is sent alone, on this worker.
  void forward(std::shared_ptr<PendingReply> pending, const udp::endpoint& to) {
    std::weak_ptr<UdpListener> weak_self = shared_from_this();
    forwarder_->resolve(pending->question, [io = io_, weak_self, pending, to](UpstreamReply upstream) {
      auto context = io.lock();
      if (!context) return;
      asio::post(*context, [weak_self, pending, to, upstream = std::move(upstream)] {
        if (auto self = weak_self.lock()) self->send(self->responder_.complete(*pending, upstream), to);
      });
    });
  }

  void send(const Reply& reply, const udp::endpoint& to) {
    count_answer(reply);
    boost::system::error_code ignored;  // a client gone away is no error of ours
    socket_.send_to(asio::buffer(reply.message), to, 0, ignored);
  }

  void count_answer(const Reply& reply) {
    metrics_.answered(reply.qtype, reply.rcode, Transport::Udp, reply.truncated);
    if (reply.short_circuited) metrics_.short_circuited();
  }

  std::weak_ptr<asio::io_context> io_;
  std::shared_ptr<UdpBatch> batch_;
  udp::socket socket_;
  const Responder& responder_;
  Forwarder* forwarder_;
  DnsMetrics& metrics_;
};

}  // namespace

struct DnsServer::Impl {
  Impl(ServerConfig c, const Responder& r, Forwarder* f, DnsMetrics& m) : config(std::move(c)), responder(r), forwarder(f), metrics(m) {}

  ServerConfig config;
  const Responder& responder;
  Forwarder* forwarder;
  DnsMetrics& metrics;
  std::vector<std::shared_ptr<Worker>> workers;
  std::vector<std::shared_ptr<UdpListener>> udp_listeners;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors;
  std::vector<ListenAddress> bound;
  std::atomic<std::size_t> connections{0};
  std::size_t next_worker = 0;  // first worker's thread only
  bool running = false;

  // Port 0: the kernel picks a UDP port, whose TCP twin may be taken; a few picks are tried.
  void bind(const ListenAddress& listen) {
    for (int attempt = 0;; ++attempt) {
      auto udp_count = udp_listeners.size();
      try {
        return bind_once(listen);
      } catch (const std::runtime_error&) {
        if (listen.port != 0 || attempt == 10) throw;
        udp_listeners.resize(udp_count);  // the sockets of the failed pick close
      }
    }
  }

  void bind_once(const ListenAddress& listen) {
    ListenAddress actual = listen;
    try {
      for (auto& worker : workers) {
        udp::socket socket(*worker->io);
        socket.open(listen.address.is_v4() ? udp::v4() : udp::v6());
        reuse_port(socket);
        socket.bind({listen.address, actual.port});
        actual.port = socket.local_endpoint().port();  // port 0: the others join the one picked
        udp_listeners.push_back(std::make_shared<UdpListener>(*worker, std::move(socket), responder, forwarder, metrics));
      }
      auto acceptor = std::make_shared<tcp::acceptor>(*workers.front()->io);
      acceptor->open(listen.address.is_v4() ? tcp::v4() : tcp::v6());
      acceptor->set_option(tcp::acceptor::reuse_address(true));
      acceptor->bind({listen.address, actual.port});
      acceptor->listen();
      acceptors.push_back(acceptor);
    } catch (const boost::system::system_error& error) {
      throw std::runtime_error("dns: cannot listen on " + describe(actual) + ": " + error.code().message() +
                               " (another DNS server there? choose another address or port)");
    }
    bound.push_back(actual);
  }

  void accept(std::shared_ptr<tcp::acceptor> acceptor) {
    auto& worker = workers[next_worker++ % workers.size()];
    std::weak_ptr<asio::io_context> io = worker->io;
    acceptor->async_accept(*worker->io, [this, acceptor, io](boost::system::error_code error, tcp::socket socket) {
      if (error == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (!error) serve(std::move(socket), io);
      accept(acceptor);
    });
  }

  void serve(tcp::socket socket, std::weak_ptr<asio::io_context> io) {
    if (connections.load() >= config.max_tcp_connections) return;  // closed as it goes out of scope
    ++connections;
    auto executor = socket.get_executor();
    TcpSessionContext context{responder, forwarder, metrics, config.tcp_idle_timeout, std::move(io), [this] { --connections; }};
    asio::post(executor, [session = std::make_shared<TcpSession>(std::move(socket), std::move(context))] { session->start(); });
  }
};

DnsServer::DnsServer(ServerConfig config, const Responder& responder, Forwarder* forwarder, DnsMetrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(config), responder, forwarder, metrics)) {}

DnsServer::~DnsServer() { stop(); }

void DnsServer::start() {
  if (impl_->running) return;
  unsigned count = impl_->config.workers ? impl_->config.workers : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < count; ++i) impl_->workers.push_back(std::make_shared<Worker>());
  for (const auto& listen : impl_->config.listen) impl_->bind(listen);
  for (auto& listener : impl_->udp_listeners) listener->receive();
  for (auto& acceptor : impl_->acceptors) impl_->accept(acceptor);
  for (auto& worker : impl_->workers) {
    worker->thread = std::thread([io = worker->io.get()] {
      auto guard = asio::make_work_guard(*io);
      io->run();
    });
  }
  impl_->running = true;
}

void DnsServer::stop() {
  for (auto& worker : impl_->workers) worker->io->stop();
  for (auto& worker : impl_->workers) {
    if (worker->thread.joinable()) worker->thread.join();
  }
  impl_->udp_listeners.clear();
  impl_->acceptors.clear();
  impl_->workers.clear();
  impl_->running = false;
}

std::vector<ListenAddress> DnsServer::bound() const { return impl_->bound; }

std::size_t DnsServer::tcp_connections() const { return impl_->connections.load(); }

}  // namespace skiff::dns
