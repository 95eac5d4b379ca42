// Workers, listeners (one SO_REUSEPORT acceptor per worker, so the kernel spreads clients), the
// TLS default context with its SNI lookup, and the swap of serving states.
#include "proxy_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "client_request.hpp"
#include "client_session.hpp"
#include "proxy_worker.hpp"

namespace skiff::ingress {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

tcp::acceptor bind_acceptor(asio::io_context& io, const Listener& listener) {
  boost::system::error_code error;
  auto address = asio::ip::make_address(listener.address, error);
  if (error) throw std::runtime_error("ingress listener \"" + listener.address + "\" is not an IP address: give one such as 0.0.0.0");
  tcp::endpoint endpoint(address, listener.port);
  tcp::acceptor acceptor(io);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.set_option(reuse_port(true));
  acceptor.bind(endpoint, error);
  if (error) {
    throw std::runtime_error("ingress cannot listen on " + listener.address + ":" + std::to_string(listener.port) + ": " +
                             error.message() + " (is another server on that port?)");
  }
  acceptor.listen(asio::socket_base::max_listen_connections);
  return acceptor;
}

asio::awaitable<void> accept_clients(tcp::acceptor& acceptor, ProxyWorker& worker, asio::ssl::context* tls) {
  while (true) {
    auto [error, socket] = co_await acceptor.async_accept(use_tuple);
    if (error == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (error) continue;
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (tls) asio::co_spawn(worker.io, serve_tls_client(std::move(socket), *tls, worker), asio::detached);
    else asio::co_spawn(worker.io, serve_plain_client(std::move(socket), worker), asio::detached);
  }
}

// Each worker sweeps its own pool (no lock: the pool is the worker thread's alone).
asio::awaitable<void> sweep_pool(ProxyWorker& worker, std::chrono::milliseconds period) {
  asio::steady_timer timer(worker.io);
  while (true) {
    timer.expires_after(period);
    auto [error] = co_await timer.async_wait(use_tuple);
    if (error) co_return;
    worker.pool.sweep();
  }
}

}  // namespace

struct ProxyServer::Impl {
  ProxyShared shared;
  SslContextPtr default_tls;
  ServerNameLookup server_name_lookup;
  std::vector<Listener> bound;
  std::vector<std::unique_ptr<ProxyWorker>> workers;
  std::vector<std::thread> threads;
  std::mutex swap_mutex;  // one set_routes at a time, so each reuses the previous contexts

  void bind_all();
  std::uint16_t redirect_port() const;
};

ProxyServer::ProxyServer(ProxyConfig config, AccessLog* access_log, ProxyMetrics* metrics) : impl_(std::make_unique<Impl>()) {
  impl_->shared.config = std::move(config);
  impl_->shared.access_log = access_log;
  impl_->shared.metrics = metrics;
  impl_->shared.state.store(std::make_shared<const ServingState>(std::make_shared<const RouteTable>(), nullptr));
  impl_->server_name_lookup = [shared = &impl_->shared](const std::string& name) {
    return shared->state.load()->context_for(name);
  };
}

ProxyServer::~ProxyServer() { stop(); }

void ProxyServer::Impl::bind_all() {
  unsigned count = shared.config.workers ? shared.config.workers : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < count; ++i) workers.push_back(std::make_unique<ProxyWorker>(shared));
  for (Listener listener : shared.config.listen) {
    for (auto& worker : workers) {
      worker->acceptors.push_back(bind_acceptor(worker->io, listener));
      // Port 0 is chosen by the first bind; the other workers share that port.
      listener.port = worker->acceptors.back().local_endpoint().port();
    }
    bound.push_back(listener);
  }
}

std::uint16_t ProxyServer::Impl::redirect_port() const {
  if (shared.config.https_redirect_port) return *shared.config.https_redirect_port;
  for (const auto& listener : bound) {
    if (listener.tls) return listener.port;
  }
  return 443;
}

void ProxyServer::start() {
  Impl& impl = *impl_;
  if (!impl.workers.empty()) return;
  impl.default_tls = impl.shared.config.default_certificate ? make_server_context(*impl.shared.config.default_certificate)
                                                            : make_empty_server_context();
  install_server_name_callback(*impl.default_tls, &impl.server_name_lookup);
  impl.bind_all();
  impl.shared.https_port = impl.redirect_port();
  for (auto& worker : impl.workers) {
    for (std::size_t i = 0; i < worker->acceptors.size(); ++i) {
      asio::ssl::context* tls = impl.bound[i].tls ? impl.default_tls.get() : nullptr;
      asio::co_spawn(worker->io, accept_clients(worker->acceptors[i], *worker, tls), asio::detached);
    }
    auto period = std::clamp(impl.shared.config.upstream_pool.idle_timeout / 4, std::chrono::milliseconds(100),
                             std::chrono::milliseconds(10000));
    asio::co_spawn(worker->io, sweep_pool(*worker, period), asio::detached);
    impl.threads.emplace_back([&io = worker->io] { io.run(); });
  }
}

void ProxyServer::stop() {
  Impl& impl = *impl_;
  for (auto& worker : impl.workers) worker->io.stop();
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();
  // Sessions still open end here, their coroutines destroyed with each io_context.
  impl.workers.clear();
}

std::vector<std::string> ProxyServer::set_routes(std::shared_ptr<const RouteTable> table) {
  std::lock_guard lock(impl_->swap_mutex);
  auto previous = impl_->shared.state.load();
  auto next = std::make_shared<const ServingState>(std::move(table), previous.get());
  impl_->shared.state.store(next);
  return next->tls_problems();
}

std::vector<Listener> ProxyServer::bound() const { return impl_->bound; }

std::size_t ProxyServer::client_connections() const { return impl_->shared.client_connections.load(); }

}  // namespace skiff::ingress
