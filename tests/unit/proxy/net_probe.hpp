// The client side of the proxy's traffic tests, from the calling thread's namespace: what
// answered a TCP connection or a UDP datagram, or why nothing did (refused, timed out).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace skiff::test {

struct Answer {
  std::string text;  // the server's greeting, "<name> <client address>"
  int error = 0;     // errno when there was no answer: ECONNREFUSED, ETIMEDOUT …
  std::string name() const;  // the greeting's first word: which server answered
  std::string peer() const;  // the greeting's second word: the client address the server saw
  std::string describe() const;
};

Answer ask_tcp(std::uint32_t ip, std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
Answer ask_udp(std::uint32_t ip, std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));

// A TCP connection kept open: the greeting read at connect, then lines echoed.
class TcpSession {
 public:
  TcpSession(std::uint32_t ip, std::uint16_t port);  // throws when it cannot connect
  ~TcpSession();
  TcpSession(const TcpSession&) = delete;
  TcpSession& operator=(const TcpSession&) = delete;
  const Answer& greeting() const { return greeting_; }
  // Sends `line` and reads it back; the error text instead when the connection broke.
  std::string echo(const std::string& line, std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  int fd_ = -1;
  Answer greeting_;
};

}  // namespace skiff::test
