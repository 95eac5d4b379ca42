// The per-worker upstream keep-alive pool.
#include "upstream_pool.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace skiff::ingress {

namespace {

// False when the peer has closed or sent something unasked (a pooled connection must be silent).
bool looks_alive(boost::beast::tcp_stream& stream) {
  char byte;
  ssize_t got = ::recv(stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

void UpstreamPool::drop_expired(std::deque<IdleConnection>& idle) {
  auto deadline = std::chrono::steady_clock::now() - limits_.idle_timeout;
  while (!idle.empty() && idle.front().since < deadline) idle.pop_front();
}

std::optional<boost::beast::tcp_stream> UpstreamPool::take(const Endpoint& endpoint) {
  auto found = idle_.find(to_string(endpoint));
  if (found == idle_.end()) return std::nullopt;
  auto& idle = found->second;
  drop_expired(idle);
  while (!idle.empty()) {
    boost::beast::tcp_stream stream = std::move(idle.back().stream);
    idle.pop_back();
    if (looks_alive(stream)) return stream;
  }
  return std::nullopt;
}

void UpstreamPool::give_back(const Endpoint& endpoint, boost::beast::tcp_stream connection) {
  if (limits_.max_idle_per_endpoint == 0) return;
  auto& idle = idle_[to_string(endpoint)];
  drop_expired(idle);
  if (idle.size() >= limits_.max_idle_per_endpoint) idle.pop_front();
  connection.expires_never();
  idle.push_back({std::move(connection), std::chrono::steady_clock::now()});
}

void UpstreamPool::sweep() {
  for (auto entry = idle_.begin(); entry != idle_.end();) {
    auto& idle = entry->second;
    drop_expired(idle);
    std::deque<IdleConnection> alive;  // streams move-construct only: the survivors are moved over
    for (auto& connection : idle) {
      if (looks_alive(connection.stream)) alive.push_back({std::move(connection.stream), connection.since});
    }
    idle.swap(alive);
    entry = idle.empty() ? idle_.erase(entry) : std::next(entry);
  }
}

std::size_t UpstreamPool::idle_count() const {
  std::size_t count = 0;
  for (const auto& [key, idle] : idle_) count += idle.size();
  return count;
}

}  // namespace skiff::ingress
