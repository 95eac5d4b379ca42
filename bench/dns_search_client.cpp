// Plain blocking sockets with a receive timeout: one lookup at a time, as a stub resolver waits.
#include "dns_search_client.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "dns_messages.hpp"

namespace skiff::bench {

namespace {

sockaddr_in ipv4(const std::string& address, int port) {
  sockaddr_in socket_address{};
  socket_address.sin_family = AF_INET;
  socket_address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &socket_address.sin_addr) != 1)
    throw std::invalid_argument("dns_bench: not an IPv4 address: " + address);
  return socket_address;
}

}  // namespace

SearchingResolver::SearchingResolver(const std::string& local, int server_port, std::vector<std::string> search, unsigned ndots)
    : search_(std::move(search)), ndots_(ndots) {
  socket_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  auto bound = ipv4(local, 0);
  auto server = ipv4("127.0.0.1", server_port);
  timeval timeout{2, 0};
  setsockopt(socket_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::bind(socket_, reinterpret_cast<sockaddr*>(&bound), sizeof bound) != 0 ||
      ::connect(socket_, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) {
    std::string why = std::strerror(errno);
    ::close(socket_);
    throw std::runtime_error("dns_bench: cannot send from " + local + " to the server: " + why);
  }
}

SearchingResolver::~SearchingResolver() { ::close(socket_); }

std::vector<std::string> SearchingResolver::candidates(const std::string& name) const {
  std::vector<std::string> names;
  auto dots = static_cast<unsigned>(std::count(name.begin(), name.end(), '.'));
  for (const auto& domain : search_)
    if (dots < ndots_) names.push_back(name + "." + domain);
  names.push_back(name);
  return names;
}

std::pair<int, std::size_t> SearchingResolver::ask(const std::string& name) {
  dns::test::QueryOptions options;
  options.id = next_id_++;
  auto query = dns::test::make_query(name, 1, options);
  ::send(socket_, query.data(), query.size(), 0);
  std::vector<std::uint8_t> buffer(4096);
  while (true) {
    auto size = ::recv(socket_, buffer.data(), buffer.size(), 0);
    if (size < 0) return {-1, 0};  // timed out
    auto answer = dns::test::parse_message({buffer.data(), static_cast<std::size_t>(size)});
    if (answer && answer->id == options.id) return {answer->rcode, answer->answer.size()};
  }
}

SearchLookup SearchingResolver::lookup(const std::string& name) {
  SearchLookup lookup;
  auto start = std::chrono::steady_clock::now();
  for (const auto& candidate : candidates(name)) {
    ++lookup.queries;
    auto [rcode, answers] = ask(candidate);
    if (rcode == 0 && answers > 0) {
      lookup.answered = true;
      break;
    }
  }
  lookup.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return lookup;
}

}  // namespace skiff::bench
