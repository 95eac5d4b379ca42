// One keep-alive plain-HTTP connection to an apiserver with a bearer token, as a client such as
// kubectl holds it: POSTs that report the status (0 when the connection failed; the next call
// connects again), and a watch stream read line by line.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

namespace skiff::bench {

class ApiConnection {
 public:
  // `timeout`: the longest post() waits for its answer (then it reports 0 and drops the connection).
  ApiConnection(int port, std::string token, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~ApiConnection();

  // The answer's status (0: none within the timeout); its body into `body` when given.
  int post(const std::string& target, const std::string& json, std::string* body = nullptr);
  // GETs `target` (a ?watch=true URL) and calls on_line per line of the answer until the stream
  // ends, fails, or on_line returns false. Returns the HTTP status (0: no answer).
  int watch(const std::string& target, const std::function<bool(const std::string& line)>& on_line);
  // Ends a watch() running on another thread (join that thread before destroying this).
  void interrupt();

 private:
  bool connect();
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::ip::tcp::socket> socket_;
  boost::beast::flat_buffer buffer_;
  int port_;
  std::string token_;
  std::chrono::milliseconds timeout_;
  bool stale_ = false;
};

}  // namespace skiff::bench
