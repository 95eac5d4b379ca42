#include "remote_command.hpp"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <set>

#include "skiff/sdk/status.hpp"

namespace skiff::containerd {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr const char* kProtocol = "v4.channel.k8s.io";
constexpr std::size_t kMaxStdinFrame = 32 * 1024;

[[noreturn]] void fail(const std::string& message) { throw sdk::Error(sdk::Status::Internal(message)); }

}  // namespace

StreamUrl parse_stream_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) fail("exec: the streaming server's URL " + url + " is not plain http:// (is TLS streaming on?)");
  std::string rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  StreamUrl out;
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon == std::string::npos || colon + 1 == authority.size())
    fail("exec: the streaming server's URL " + url + " names no port");
  out.host = authority.substr(0, colon);
  out.port = authority.substr(colon + 1);
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') out.host = out.host.substr(1, out.host.size() - 2);
  return out;
}

RemoteCommandClient::RemoteCommandClient(const std::string& url, RemoteCommandStreams streams) : socket_(io_) {
  StreamUrl where = parse_stream_url(url);
  try {
    tcp::resolver resolver(io_);
    asio::connect(socket_, resolver.resolve(where.host, where.port));
  } catch (const boost::system::system_error& e) {
    fail("exec: cannot reach containerd's streaming server at " + url + ": " + e.what());
  }
  upgrade(where);
  // The error stream first, as kubectl opens them; the server waits for every stream the exec
  // was asked with before it starts the command.
  error_id_ = open_stream("error");
  if (streams.stdin) stdin_id_ = open_stream("stdin");
  if (streams.stdout) stdout_id_ = open_stream("stdout");
  if (streams.stderr && !streams.tty) stderr_id_ = open_stream("stderr");
  if (streams.tty) resize_id_ = open_stream("resize");
}

RemoteCommandClient::~RemoteCommandClient() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void RemoteCommandClient::upgrade(const StreamUrl& url) {
  std::string request = "POST " + url.target + " HTTP/1.1\r\nHost: " + url.host + ":" + url.port +
                        "\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: " + kProtocol +
                        "\r\nContent-Length: 0\r\n\r\n";
  asio::streambuf response;
  std::size_t header_end = 0;
  try {
    asio::write(socket_, asio::buffer(request));
    header_end = asio::read_until(socket_, response, "\r\n\r\n");
  } catch (const boost::system::system_error& e) {
    fail("exec: the streaming server did not answer the upgrade: " + std::string(e.what()));
  }
  std::string all(asio::buffers_begin(response.data()), asio::buffers_end(response.data()));
  std::string head = all.substr(0, header_end);
  leftover_ = all.substr(header_end);
  std::string status_line = head.substr(0, head.find("\r\n"));
  if (status_line.find(" 101 ") == std::string::npos)
    fail("exec: the streaming server refused the SPDY upgrade: " + status_line);
}

std::uint32_t RemoteCommandClient::open_stream(const std::string& type) {
  std::uint32_t id = next_stream_id_;
  next_stream_id_ += 2;
  send(spdy::syn_stream(id, 0, compressor_.compress({{"streamtype", type}})));
  return id;
}

void RemoteCommandClient::send(const std::string& frame) {
  std::lock_guard lock(write_mutex_);
  boost::system::error_code ec;
  asio::write(socket_, asio::buffer(frame), ec);
  if (ec) fail("exec: writing to the streaming server: " + ec.message());
}

void RemoteCommandClient::write_stdin(std::string_view data) {
  if (!stdin_id_ || stdin_closed_) return;
  while (!data.empty()) {
    std::size_t n = std::min(data.size(), kMaxStdinFrame);
    send(spdy::data_frame(stdin_id_, 0, data.substr(0, n)));
    data.remove_prefix(n);
  }
}

void RemoteCommandClient::close_stdin() {
  if (!stdin_id_ || stdin_closed_.exchange(true)) return;
  send(spdy::data_frame(stdin_id_, spdy::kFlagFin, {}));
}

void RemoteCommandClient::resize(std::uint32_t width, std::uint32_t height) {
  if (!resize_id_) return;
  send(spdy::data_frame(resize_id_, 0,
                        "{\"Width\":" + std::to_string(width) + ",\"Height\":" + std::to_string(height) + "}\n"));
}

void RemoteCommandClient::cancel() {
  // shutdown(2) on the descriptor wakes the reader blocked in run(); the socket is closed later.
  ::shutdown(socket_.native_handle(), SHUT_RDWR);
}

void RemoteCommandClient::read_exact(char* data, std::size_t size) {
  std::size_t from_leftover = std::min(size, leftover_.size());
  std::copy_n(leftover_.data(), from_leftover, data);
  leftover_.erase(0, from_leftover);
  if (from_leftover < size) asio::read(socket_, asio::buffer(data + from_leftover, size - from_leftover));
}

ExecOutcome RemoteCommandClient::run(const std::function<void(int fd, std::string_view data)>& output) {
  std::string error_text;
  std::set<std::uint32_t> open{error_id_};
  if (stdout_id_) open.insert(stdout_id_);
  if (stderr_id_) open.insert(stderr_id_);
  std::string payload;
  try {
    while (!open.empty()) {
      unsigned char header_bytes[8];
      read_exact(reinterpret_cast<char*>(header_bytes), sizeof header_bytes);
      spdy::FrameHeader header = spdy::parse_frame_header(header_bytes);
      payload.resize(header.length);
      if (header.length) read_exact(payload.data(), header.length);
      if (header.control) {
        auto type = static_cast<spdy::ControlType>(header.type);
        if (type == spdy::ControlType::Ping) send(spdy::ping_frame(spdy::read_u32(payload, 0)));
        if (type == spdy::ControlType::RstStream) open.erase(spdy::read_u32(payload, 0) & 0x7fffffff);
        if (type == spdy::ControlType::GoAway) break;
        continue;  // replies, settings, window updates: nothing to do
      }
      if (header.stream_id == error_id_) error_text += payload;
      else if (header.stream_id == stdout_id_) output(1, payload);
      else if (header.stream_id == stderr_id_) output(2, payload);
      if (header.flags & spdy::kFlagFin) open.erase(header.stream_id);
    }
  } catch (const boost::system::system_error&) {
    // The server closed the connection: the command ended (or cancel() was called).
  }
  return parse_exec_status(error_text);
}

}  // namespace skiff::containerd
