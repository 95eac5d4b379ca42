// A UDP echo server and client for pods (busybox's nc has no UDP), linked statically so a test
// can mount it into any container:  udp-echo serve PORT  |  udp-echo send IP PORT MESSAGE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int serve(int port, const std::string& name) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<unsigned short>(port));
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::perror("bind");
    return 1;
  }
  char buffer[2048];
  while (true) {
    sockaddr_in from{};
    socklen_t length = sizeof from;
    ssize_t n = recvfrom(fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &length);
    if (n < 0) continue;
    char who[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &from.sin_addr, who, sizeof who);
    std::printf("from %s: %.*s\n", who, static_cast<int>(n), buffer);  // the client's address, as seen here
    std::fflush(stdout);
    std::string reply = (name.empty() ? "" : name + ": ") + std::string(buffer, static_cast<size_t>(n));
    sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), length);
  }
}

int send(const char* ip, int port, const std::string& message, int source_port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (source_port) {
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_port = htons(static_cast<unsigned short>(source_port));
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      std::perror("bind");
      return 1;
    }
  }
  timeval timeout{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<unsigned short>(port));
  if (inet_pton(AF_INET, ip, &to.sin_addr) != 1) return 2;
  char buffer[2048];
  for (int attempt = 0; attempt < 5; ++attempt) {  // UDP: a datagram may be lost
    sendto(fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      std::printf("%.*s\n", static_cast<int>(n), buffer);
      return 0;
    }
  }
  std::fprintf(stderr, "no echo from %s:%d\n", ip, port);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if ((argc == 3 || argc == 4) && std::strcmp(argv[1], "serve") == 0)
    return serve(std::atoi(argv[2]), argc == 4 ? argv[3] : "");
  if ((argc == 5 || argc == 6) && std::strcmp(argv[1], "send") == 0)
    return send(argv[2], std::atoi(argv[3]), argv[4], argc == 6 ? std::atoi(argv[5]) : 0);
  std::fprintf(stderr, "usage: udp-echo serve PORT [NAME] | udp-echo send IP PORT MESSAGE [SRCPORT]\n");
  return 2;
}
