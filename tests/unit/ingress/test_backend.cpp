// The test backend's accept loop and per-connection request loop.
#include "test_backend.hpp"

#include <boost/beast/core.hpp>
#include <sys/socket.h>

namespace skiff::ingress::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

TestBackend::TestBackend(std::string name, BackendHandler handler)
    : name_(std::move(name)), handler_(std::move(handler)), acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  if (!handler_) handler_ = [name = name_](BackendCall& call) { return answer_echo(name, call); };
  port_ = acceptor_.local_endpoint().port();
  acceptor_thread_ = std::thread([this] { accept_loop(); });
}

TestBackend::~TestBackend() {
  stopping_ = true;
  ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
  acceptor_thread_.join();
  std::lock_guard lock(mutex_);
  // Unblocks connection threads waiting in a read.
  for (auto& socket : sockets_) ::shutdown(socket->native_handle(), SHUT_RDWR);
  for (auto& thread : threads_) thread.join();
}

void TestBackend::accept_loop() {
  while (!stopping_) {
    auto socket = std::make_shared<tcp::socket>(io_);
    boost::system::error_code error;
    acceptor_.accept(*socket, error);
    if (error || stopping_) return;
    ++connections_;
    std::lock_guard lock(mutex_);
    sockets_.push_back(socket);
    threads_.emplace_back([this, socket] { serve(socket); });
  }
}

void TestBackend::serve(std::shared_ptr<tcp::socket> socket) {
  beast::flat_buffer buffer;
  for (std::size_t index = 0; !stopping_; ++index) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    boost::system::error_code error;
    http::read(*socket, buffer, parser, error);
    if (error) break;
    ++requests_;
    BackendRequest request = parser.release();
    BackendCall call{request, *socket, index};
    if (!handler_(call)) break;
  }
  boost::system::error_code ignored;
  socket->shutdown(tcp::socket::shutdown_both, ignored);
}

void answer(BackendCall& call, unsigned status, const std::string& body,
            const std::vector<std::pair<std::string, std::string>>& fields) {
  http::response<http::string_body> response{static_cast<http::status>(status), 11};
  for (const auto& [name, value] : fields) response.set(name, value);
  response.body() = body;
  response.prepare_payload();
  boost::system::error_code ignored;
  http::write(call.socket, response, ignored);
}

bool answer_echo(const std::string& name, BackendCall& call) {
  std::string body = name + " " + std::string(call.request.method_string()) + " " + std::string(call.request.target()) + "\n";
  for (const auto& field : call.request) body += std::string(field.name_string()) + ": " + std::string(field.value()) + "\n";
  body += "body: " + std::to_string(call.request.body().size()) + "\n";
  answer(call, 200, body, {{"X-Backend", name}});
  return true;
}

}  // namespace skiff::ingress::test
