// A small HTTP/1.1 server on 127.0.0.1 for the proxy to reach: one thread per connection, a
// handler per request that answers on the raw socket, and counts of connections and requests.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ingress_values.hpp"

namespace skiff::ingress::test {

using BackendRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct BackendCall {
  const BackendRequest& request;
  boost::asio::ip::tcp::socket& socket;
  std::size_t index_on_connection = 0;  // 0 for a connection's first request
};

// Answers on `call.socket`; returns whether the connection goes on to another request.
using BackendHandler = std::function<bool(BackendCall& call)>;

class TestBackend {
 public:
  // Without a handler: answer_echo with `name`.
  explicit TestBackend(std::string name, BackendHandler handler = {});
  ~TestBackend();
  TestBackend(const TestBackend&) = delete;
  TestBackend& operator=(const TestBackend&) = delete;

  Endpoint endpoint() const { return {"127.0.0.1", port_}; }
  const std::string& name() const { return name_; }
  std::size_t connections_accepted() const { return connections_.load(); }
  std::size_t requests_served() const { return requests_.load(); }

 private:
  void accept_loop();
  void serve(std::shared_ptr<boost::asio::ip::tcp::socket> socket);

  std::string name_;
  BackendHandler handler_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> connections_{0};
  std::atomic<std::size_t> requests_{0};
  std::mutex mutex_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
  std::vector<std::thread> threads_;
  std::thread acceptor_thread_;
};

// Writes a whole response with `body` (Content-Length framing) and `fields`.
void answer(BackendCall& call, unsigned status, const std::string& body,
            const std::vector<std::pair<std::string, std::string>>& fields = {});

// 200 with "<name> <method> <target>\n" then every request field as "name: value\n", then the
// body's size as "body: N\n".
bool answer_echo(const std::string& name, BackendCall& call);

}  // namespace skiff::ingress::test
