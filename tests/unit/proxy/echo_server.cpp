// TCP greeting + echo and UDP answers on one port of a namespace (see echo_server.hpp).
#include "echo_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "netns.hpp"

namespace skiff::test {

namespace {

int bound_socket(int type, std::uint16_t port) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      (type == SOCK_STREAM && listen(fd, 64) != 0)) {
    int error = errno;
    close(fd);
    throw std::runtime_error("bind/listen on port " + std::to_string(port) + ": " + std::strerror(error));
  }
  return fd;
}

std::string greeting(const std::string& name, const sockaddr_in& peer) {
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
  return name + " " + text + "\n";
}

}  // namespace

EchoServer::EchoServer(Netns& netns, std::string name, std::uint16_t port) : name_(std::move(name)) {
  netns.run([&] {
    listener_ = bound_socket(SOCK_STREAM, port);
    datagrams_ = bound_socket(SOCK_DGRAM, port);
  });
  stop_ = eventfd(0, EFD_CLOEXEC);
  thread_ = std::thread([this] { serve(); });
}

EchoServer::~EchoServer() {
  std::uint64_t one = 1;
  if (write(stop_, &one, sizeof one) < 0) std::abort();
  thread_.join();
  close(stop_);
  close(listener_);
  close(datagrams_);
}

void EchoServer::serve() {
  std::vector<pollfd> fds{{stop_, POLLIN, 0}, {listener_, POLLIN, 0}, {datagrams_, POLLIN, 0}};
  while (true) {
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return;
    if (fds[0].revents) break;
    if (fds[1].revents & POLLIN) {
      sockaddr_in peer{};
      socklen_t length = sizeof peer;
      int connection = accept4(listener_, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC);
      if (connection >= 0) {
        std::string hello = greeting(name_, peer);
        send(connection, hello.data(), hello.size(), MSG_NOSIGNAL);
        fds.push_back({connection, POLLIN, 0});
      }
    }
    if (fds[2].revents & POLLIN) {
      char buffer[512];
      sockaddr_in peer{};
      socklen_t length = sizeof peer;
      if (recvfrom(datagrams_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&peer), &length) >= 0) {
        std::string answer = greeting(name_, peer);
        sendto(datagrams_, answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&peer), length);
      }
    }
    for (std::size_t i = 3; i < fds.size();) {
      char buffer[512];
      ssize_t n = fds[i].revents ? recv(fds[i].fd, buffer, sizeof buffer, MSG_DONTWAIT) : -1;
      if (fds[i].revents && n <= 0 && !(n < 0 && errno == EAGAIN)) {
        close(fds[i].fd);
        fds.erase(fds.begin() + static_cast<long>(i));
        continue;
      }
      if (n > 0) send(fds[i].fd, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL);
      ++i;
    }
  }
  for (std::size_t i = 3; i < fds.size(); ++i) close(fds[i].fd);
}

}  // namespace skiff::test
