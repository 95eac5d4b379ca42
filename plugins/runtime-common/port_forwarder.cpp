// connect_in_netns and the port-forward stream's pipe.
#include "port_forwarder.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "skiff/sdk/status.hpp"

namespace skiff::runtime_common {
namespace {

// An errno as Go prints it ("connection refused"), the words kubectl users know from Kubernetes.
std::string errno_text(int error) {
  std::string text = std::strerror(error);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// Connects to the loopback address of one family; the errno on failure.
int connect_loopback(int family, int port, int& error) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = errno;
    return -1;
  }
  sockaddr_storage address{};
  socklen_t length = 0;
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&address);
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<std::uint16_t>(port));
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<std::uint16_t>(port));
    in6->sin6_addr = in6addr_loopback;
    length = sizeof(sockaddr_in6);
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) == 0) return fd;
  error = errno;
  ::close(fd);
  return -1;
}

// Runs on a thread of its own that ends afterwards: a socket keeps the namespace it was made in.
int connect_there(const std::string& netns_path, int port, std::string& failure) {
  if (!netns_path.empty()) {
    int ns = ::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0) {
      failure = "cannot open the pod's network namespace " + netns_path + ": " + std::strerror(errno);
      return -1;
    }
    int entered = ::setns(ns, CLONE_NEWNET);
    int error = errno;
    ::close(ns);
    if (entered != 0) {
      failure = "cannot enter the pod's network namespace " + netns_path + ": " + std::strerror(error) + " (run as root)";
      return -1;
    }
  }
  int error4 = 0, error6 = 0;
  int fd = connect_loopback(AF_INET, port, error4);
  if (fd < 0) fd = connect_loopback(AF_INET6, port, error6);
  if (fd >= 0) return fd;
  std::string where = netns_path.empty() ? "the host's network namespace" : "network namespace \"" + netns_path + "\"";
  failure = "failed to connect to localhost:" + std::to_string(port) + " inside " + where + ", IPv4: dial tcp4 127.0.0.1:" +
            std::to_string(port) + ": connect: " + errno_text(error4) + " IPv6 dial tcp6 [::1]:" + std::to_string(port) +
            ": connect: " + errno_text(error6);
  return -1;
}

// The socket, shared by the body and the stdin handler, which may outlive it.
struct Connection {
  std::mutex mutex;
  int fd = -1;

  void send_all(std::string_view data) {
    std::lock_guard lock(mutex);
    while (fd >= 0 && !data.empty()) {
      ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  void shutdown(int how) {
    std::lock_guard lock(mutex);
    if (fd >= 0) ::shutdown(fd, how);
  }
  void close() {
    std::lock_guard lock(mutex);
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

}  // namespace

int connect_in_netns(const std::string& netns_path, int port) {
  if (port <= 0 || port > 65535)
    throw sdk::Error(sdk::Status::Invalid("port " + std::to_string(port) + " is not a valid port (1–65535)"));
  std::string failure;
  int fd = -1;
  std::thread([&] { fd = connect_there(netns_path, port, failure); }).join();
  if (fd < 0) throw sdk::Error(sdk::Status::Internal(failure));
  return fd;
}

sdk::StreamBody forward_port(std::string netns_path, int port) {
  return [netns_path = std::move(netns_path), port](sdk::RuntimeStream& stream) {
    auto connection = std::make_shared<Connection>();
    connection->fd = connect_in_netns(netns_path, port);
    int fd = connection->fd;
    stream.on_stdin([connection](std::string_view data, bool last) {
      connection->send_all(data);
      if (last) connection->shutdown(SHUT_WR);
    });
    // A stop wakes the read below: the caller has gone.
    stream.on_stop([connection] { connection->shutdown(SHUT_RDWR); });
    char buffer[32 * 1024];
    while (!stream.stopped()) {
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      stream.write(1, std::string_view(buffer, static_cast<std::size_t>(n)));
    }
    connection->close();
    return 0;
  };
}

}  // namespace skiff::runtime_common
