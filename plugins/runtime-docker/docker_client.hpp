// The Docker Engine API over its unix socket: HTTP/1.1 with Boost.Beast, JSON with
// Boost.JSON. One connection per call (a unix socket costs microseconds), a timeout on
// every read and write, and two streaming forms: a response body read as it arrives (logs,
// pulls) and a hijacked connection (exec attach).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace skiff::docker {

struct Response {
  unsigned status = 0;
  std::string body;
  boost::json::value json() const;  // null when the body is not JSON
  // Docker's {"message": "..."}, or the body.
  std::string message() const;
};

// A connection taken over after an exec start: what was read past the headers, then the
// raw socket.
class RawStream {
 public:
  virtual ~RawStream() = default;
  // Returns 0 at end of stream; throws on error or timeout.
  virtual std::size_t read(char* data, std::size_t size) = 0;
  virtual void write(std::string_view data) = 0;
  virtual void close_write() = 0;
  // Ends both directions from another thread: a read blocked on the stream returns 0.
  virtual void shutdown() = 0;
};

class DockerClient {
 public:
  DockerClient(std::string socket_path, std::string api_version, std::chrono::milliseconds timeout);

  // Throws sdk::Error(503) naming the socket when the daemon cannot be reached.
  Response call(std::string_view method, const std::string& target,
                const std::optional<boost::json::value>& body = std::nullopt) const;
  Response call(std::string_view method, const std::string& target, std::chrono::milliseconds timeout,
                const std::optional<boost::json::value>& body = std::nullopt) const;
  // Reads the body as it arrives; `on_data` returns false to stop early. No timeout on the
  // body (a followed log may stay quiet); `stopped` is checked between reads. A blocked read
  // waits for data however long (Asio polls without the socket's timeout): `cancel_with`, when
  // given, receives a function that ends the read from another thread (callable until and
  // after stream() returns).
  unsigned stream(std::string_view method, const std::string& target, const std::optional<boost::json::value>& body,
                  const std::function<bool(std::string_view)>& on_data, const std::function<bool()>& stopped,
                  const std::function<void(std::function<void()>)>& cancel_with = {}) const;
  // POST with a JSON body, then the connection as a raw stream (Docker's hijack).
  std::unique_ptr<RawStream> hijack(const std::string& target, const boost::json::value& body) const;

  const std::string& socket_path() const { return socket_path_; }

 private:
  std::string path(const std::string& target) const { return "/" + api_version_ + target; }
  std::string socket_path_;
  std::string api_version_;
  std::chrono::milliseconds timeout_;
};

// Docker's multiplexed stream (no TTY): 8-byte headers (stream, 0, 0, 0, big-endian
// length) before each payload. Feed it bytes as they come; it calls `out(fd, payload)`.
class Demultiplexer {
 public:
  explicit Demultiplexer(std::function<void(int, std::string_view)> out) : out_(std::move(out)) {}
  void feed(std::string_view data);

 private:
  std::function<void(int, std::string_view)> out_;
  std::string pending_;
};

// "a=b" style URL query escaping.
std::string url_escape(std::string_view text);

}  // namespace skiff::docker
