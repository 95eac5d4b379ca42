// TCP and UDP probes with deadlines (see net_probe.hpp).
#include "net_probe.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "skiff/sdk/cidr.hpp"

namespace skiff::test {

namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in address_of(std::uint32_t ip, std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(ip);
  address.sin_port = htons(port);
  return address;
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Waits for `events` on fd until the deadline; 0 when ready, else an errno (the socket's own
// error when it has one).
int wait_for(int fd, short events, Clock::time_point deadline) {
  pollfd ready{fd, events, 0};
  int n = poll(&ready, 1, remaining_ms(deadline));
  if (n == 0) return ETIMEDOUT;
  if (n < 0) return errno;
  int error = 0;
  socklen_t length = sizeof error;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
  return error;
}

// Reads up to the first newline.
Answer read_line(int fd, Clock::time_point deadline) {
  Answer answer;
  char c = 0;
  while (true) {
    if (int error = wait_for(fd, POLLIN, deadline)) return {answer.text, error};
    ssize_t n = recv(fd, &c, 1, 0);
    if (n < 0) return {answer.text, errno};
    if (n == 0) return {answer.text, ECONNRESET};
    if (c == '\n') return answer;
    answer.text += c;
  }
}

int connect_with_deadline(std::uint32_t ip, std::uint16_t port, Clock::time_point deadline, int& error) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  auto address = address_of(ip, port);
  error = 0;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    error = errno == EINPROGRESS ? wait_for(fd, POLLOUT, deadline) : errno;
  return fd;
}

}  // namespace

std::string Answer::name() const { return text.substr(0, text.find(' ')); }

std::string Answer::peer() const {
  auto space = text.find(' ');
  return space == std::string::npos ? "" : text.substr(space + 1);
}

std::string Answer::describe() const {
  if (error != 0) return std::string("no answer: ") + std::strerror(error);
  return "answered \"" + text + "\"";
}

Answer ask_tcp(std::uint32_t ip, std::uint16_t port, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  int error = 0;
  int fd = connect_with_deadline(ip, port, deadline, error);
  Answer answer = error ? Answer{"", error} : read_line(fd, deadline);
  close(fd);
  return answer;
}

// A connected UDP socket, so an ICMP port unreachable comes back as ECONNREFUSED.
Answer ask_udp(std::uint32_t ip, std::uint16_t port, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  auto address = address_of(ip, port);
  Answer answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || send(fd, "?", 1, 0) < 0) {
    answer.error = errno;
  } else if (int error = wait_for(fd, POLLIN, deadline)) {
    answer.error = error;
  } else {
    char buffer[512];
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n < 0)
      answer.error = errno;
    else
      answer.text.assign(buffer, static_cast<std::size_t>(n) - (n > 0 && buffer[n - 1] == '\n' ? 1 : 0));
  }
  close(fd);
  return answer;
}

TcpSession::TcpSession(std::uint32_t ip, std::uint16_t port) {
  auto deadline = Clock::now() + std::chrono::seconds(5);
  int error = 0;
  fd_ = connect_with_deadline(ip, port, deadline, error);
  greeting_ = error ? Answer{"", error} : read_line(fd_, deadline);
  if (greeting_.error)
    throw std::runtime_error("TCP to " + sdk::format_ipv4(ip) + ":" + std::to_string(port) + ": " + greeting_.describe());
}

TcpSession::~TcpSession() { close(fd_); }

std::string TcpSession::echo(const std::string& line, std::chrono::milliseconds timeout) {
  std::string sent = line + "\n";
  if (send(fd_, sent.data(), sent.size(), MSG_NOSIGNAL) < 0) return std::strerror(errno);
  Answer back = read_line(fd_, Clock::now() + timeout);
  return back.error ? back.describe() : back.text;
}

}  // namespace skiff::test
