// A pod's servers for the proxy's traffic tests: on one port, TCP greets each connection with
// "<name> <client address>" and then echoes lines; UDP answers each datagram the same way. The
// client address shows whether the proxy kept the client's address or masqueraded it.
#pragma once

#include <cstdint>
#include <string>
#include <thread>

namespace skiff::test {

class Netns;

class EchoServer {
 public:
  EchoServer(Netns& netns, std::string name, std::uint16_t port);  // listens on every address of `netns`
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

 private:
  void serve();

  std::string name_;
  int listener_ = -1;
  int datagrams_ = -1;
  int stop_ = -1;  // eventfd
  std::thread thread_;
};

}  // namespace skiff::test
