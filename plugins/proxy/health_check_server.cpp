// One io_context thread; an acceptor per port; every request gets the Service's current answer.
#include "health_check_server.hpp"

#include <spdlog/logger.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <future>
#include <mutex>
#include <thread>

namespace skiff::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::pair<int, std::string> health_answer(const HealthTarget& target) {
  boost::json::object body{{"service", {{"namespace", target.namespace_}, {"name", target.name}}},
                           {"localEndpoints", target.local_endpoints},
                           {"serviceProxyHealthy", true}};
  return {target.local_endpoints > 0 ? 200 : 503, boost::json::serialize(body)};
}

namespace {

struct Connection : std::enable_shared_from_this<Connection> {
  Connection(tcp::socket s, std::function<HealthTarget()> t) : socket(std::move(s)), target(std::move(t)) {}
  tcp::socket socket;
  std::function<HealthTarget()> target;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::response<http::string_body> response;

  void read() {
    http::async_read(socket, buffer, request, [self = shared_from_this()](beast::error_code error, std::size_t) {
      if (!error) self->answer();
    });
  }
  void answer() {
    HealthTarget current = target();
    auto [status, body] = health_answer(current);
    response.result(static_cast<http::status>(status));
    response.version(request.version());
    response.set(http::field::content_type, "application/json");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("X-Load-Balancing-Endpoint-Weight", std::to_string(current.local_endpoints));
    response.keep_alive(false);
    response.body() = std::move(body);
    response.prepare_payload();
    http::async_write(socket, response, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->socket.shutdown(tcp::socket::shutdown_both, ignored);
    });
  }
};

}  // namespace

struct HealthCheckServer::Impl {
  explicit Impl(spdlog::logger& l) : log(l), guard(asio::make_work_guard(io)), thread([this] { io.run(); }) {}
  spdlog::logger& log;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  std::thread thread;
  mutable std::mutex mutex;
  std::map<std::uint16_t, HealthTarget> targets;
  std::map<std::uint16_t, std::shared_ptr<tcp::acceptor>> acceptors;  // touched on the io thread only

  HealthTarget target_of(std::uint16_t port) {
    std::lock_guard lock(mutex);
    auto found = targets.find(port);
    return found == targets.end() ? HealthTarget{} : found->second;
  }

  void accept(std::uint16_t port, std::shared_ptr<tcp::acceptor> acceptor) {
    acceptor->async_accept([this, port, acceptor](beast::error_code error, tcp::socket socket) {
      if (error) return;  // closed
      std::make_shared<Connection>(std::move(socket), [this, port] { return target_of(port); })->read();
      accept(port, acceptor);
    });
  }

  void listen(std::uint16_t port) {
    auto acceptor = std::make_shared<tcp::acceptor>(io);
    beast::error_code error;
    acceptor->open(tcp::v4(), error);
    if (!error) acceptor->set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor->bind({asio::ip::address_v4::any(), port}, error);
    if (!error) acceptor->listen(asio::socket_base::max_listen_connections, error);
    if (error) {
      log.warn("health-check NodePort {}: cannot listen: {} (a load balancer will see this node as down)", port,
               error.message());
      return;
    }
    acceptors[port] = acceptor;
    accept(port, acceptor);
  }

  // On the io thread: open what is new, close what went.
  void reconcile(std::map<std::uint16_t, HealthTarget> wanted) {
    for (auto it = acceptors.begin(); it != acceptors.end();) {
      if (wanted.contains(it->first)) {
        ++it;
        continue;
      }
      beast::error_code ignored;
      it->second->close(ignored);
      it = acceptors.erase(it);
    }
    for (const auto& [port, target] : wanted)
      if (!acceptors.contains(port)) listen(port);
  }
};

HealthCheckServer::HealthCheckServer(spdlog::logger& log) : impl_(std::make_unique<Impl>(log)) {}

HealthCheckServer::~HealthCheckServer() {
  impl_->guard.reset();
  impl_->io.stop();
  impl_->thread.join();
}

void HealthCheckServer::update(const std::map<std::uint16_t, HealthTarget>& targets) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->targets == targets) return;
    impl_->targets = targets;
  }
  std::promise<void> done;
  asio::post(impl_->io, [this, targets, &done] {
    impl_->reconcile(targets);
    done.set_value();
  });
  done.get_future().wait();
}

std::size_t HealthCheckServer::listening() const {
  std::promise<std::size_t> count;
  asio::post(impl_->io, [this, &count] { count.set_value(impl_->acceptors.size()); });
  return count.get_future().get();
}

}  // namespace skiff::proxy
