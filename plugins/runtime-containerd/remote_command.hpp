// The client side of Kubernetes' remotecommand protocol (v4.channel.k8s.io) over SPDY/3.1 —
// what containerd's streaming server speaks at the URL CRI's Exec returns: an HTTP upgrade,
// then one SPDY stream each for the error status, stdin, stdout, stderr (and resize with a
// TTY). Unlike WebSocket v4 it can close stdin alone (a FIN on its stream), which `cat` needs
// to see its end of input.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "exec_status.hpp"
#include "spdy_frames.hpp"

namespace skiff::containerd {

struct RemoteCommandStreams {
  bool stdin = false;
  bool stdout = true;
  bool stderr = true;  // false with a TTY: its output comes on stdout
  bool tty = false;
};

// Where the streaming server is: "http://127.0.0.1:40123/exec/Ab3dE".
struct StreamUrl {
  std::string host;
  std::string port;
  std::string target;
};
// Throws sdk::Error(500) for a URL that is not plain http://host:port/path.
StreamUrl parse_stream_url(const std::string& url);

class RemoteCommandClient {
 public:
  // Connects, upgrades and opens the streams; throws sdk::Error naming the URL when it cannot.
  RemoteCommandClient(const std::string& url, RemoteCommandStreams streams);
  ~RemoteCommandClient();
  RemoteCommandClient(const RemoteCommandClient&) = delete;
  RemoteCommandClient& operator=(const RemoteCommandClient&) = delete;

  // From any thread, while run() reads.
  void write_stdin(std::string_view data);
  void close_stdin();
  // With a tty: the terminal's new size, on the resize stream as kubectl writes it.
  void resize(std::uint32_t width, std::uint32_t height);
  // Ends run() soon, from any thread.
  void cancel();

  // Reads until the server has ended the command; output goes to `output` (fd 1 or 2).
  ExecOutcome run(const std::function<void(int fd, std::string_view data)>& output);

 private:
  void upgrade(const StreamUrl& url);
  std::uint32_t open_stream(const std::string& type);
  void send(const std::string& frame);
  void read_exact(char* data, std::size_t size);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::mutex write_mutex_;
  spdy::HeaderCompressor compressor_;
  std::uint32_t next_stream_id_ = 1;  // a client's streams are odd
  std::uint32_t error_id_ = 0, stdin_id_ = 0, stdout_id_ = 0, stderr_id_ = 0, resize_id_ = 0;
  std::string leftover_;  // read past the upgrade's response: the first frames
  std::atomic<bool> stdin_closed_{false};
};

}  // namespace skiff::containerd
