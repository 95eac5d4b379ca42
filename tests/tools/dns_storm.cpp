// Many parallel A+AAAA lookups the way glibc sends them (both questions back to back from one
// socket, the pattern behind conntrack's insert race), for pods: static, no DNS library.
//   dns-storm SERVER NAME PAIRS THREADS
// Prints "pairs=N answered=N timeouts=N retries=N max_ms=N" and exits 0 when every pair was answered.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::vector<unsigned char> query(unsigned short id, const std::string& name, unsigned short type) {
  std::vector<unsigned char> q = {static_cast<unsigned char>(id >> 8), static_cast<unsigned char>(id), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    q.push_back(static_cast<unsigned char>(dot - start));
    q.insert(q.end(), name.begin() + static_cast<long>(start), name.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  q.insert(q.end(), {0, 0, static_cast<unsigned char>(type), 0, 1});
  return q;
}

struct Totals {
  std::atomic<long> answered{0}, timeouts{0}, retries{0}, max_us{0};
};

// One pair: both sent, both awaited; a second try after 1 s of silence (as a resolver would),
// a timeout after two.
bool one_pair(int fd, const sockaddr_in& server, const std::string& name, unsigned short id, Totals& totals) {
  auto a = query(id, name, 1), aaaa = query(static_cast<unsigned short>(id + 1), name, 28);
  auto started = Clock::now();
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt) totals.retries++;
    bool got_a = false, got_aaaa = false;
    sendto(fd, a.data(), a.size(), 0, reinterpret_cast<const sockaddr*>(&server), sizeof server);
    sendto(fd, aaaa.data(), aaaa.size(), 0, reinterpret_cast<const sockaddr*>(&server), sizeof server);
    auto deadline = Clock::now() + std::chrono::seconds(1);
    while (!(got_a && got_aaaa)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{fd, POLLIN, 0};
      if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) break;
      unsigned char reply[1500];
      ssize_t n = recv(fd, reply, sizeof reply, 0);
      if (n < 12) continue;
      unsigned short got = static_cast<unsigned short>(reply[0] << 8 | reply[1]);
      if (got == id) got_a = true;
      if (got == static_cast<unsigned short>(id + 1)) got_aaaa = true;
    }
    if (got_a && got_aaaa) {
      long us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count();
      long seen = totals.max_us.load();
      while (us > seen && !totals.max_us.compare_exchange_weak(seen, us)) {}
      return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: dns-storm SERVER NAME PAIRS THREADS\n");
    return 2;
  }
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(53);
  if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
    std::fprintf(stderr, "dns-storm: %s is not an IPv4 address\n", argv[1]);
    return 2;
  }
  std::string name = argv[2];
  long pairs = std::atol(argv[3]);
  int threads = std::max(1, std::atoi(argv[4]));
  Totals totals;
  std::atomic<long> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      // A new socket (so a new source port, a new conntrack tuple) every 50 pairs, as short-lived clients have.
      int fd = -1;
      for (long i = next++, done = 0; i < pairs; i = next++, ++done) {
        if (done % 50 == 0) {
          if (fd >= 0) close(fd);
          fd = socket(AF_INET, SOCK_DGRAM, 0);
        }
        auto id = static_cast<unsigned short>((i * 2 + t) & 0xfffe);
        if (one_pair(fd, server, name, id, totals)) totals.answered++;
        else totals.timeouts++;
      }
      if (fd >= 0) close(fd);
    });
  for (auto& w : workers) w.join();
  std::printf("pairs=%ld answered=%ld timeouts=%ld retries=%ld max_ms=%ld\n", pairs, totals.answered.load(),
              totals.timeouts.load(), totals.retries.load(), totals.max_us.load() / 1000);
  return totals.answered.load() == pairs ? 0 : 1;
}
