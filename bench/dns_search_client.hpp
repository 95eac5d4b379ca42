// A pod's stub resolver as glibc and musl do it with `ndots:5`: a name with fewer dots is tried
// under each search domain in turn, then as is, one A query at a time, until an answer with
// records comes back. Sends from the pod's own address, so the server can tell who asks.
#pragma once

#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace skiff::bench {

struct SearchLookup {
  int queries = 0;        // sent for this lookup
  double milliseconds = 0;
  bool answered = false;  // false: every candidate failed or timed out
};

class SearchingResolver {
 public:
  // Binds a UDP socket to `local` (port 0) and sends to 127.0.0.1:`server_port`.
  SearchingResolver(const std::string& local, int server_port, std::vector<std::string> search, unsigned ndots = 5);
  ~SearchingResolver();
  SearchingResolver(const SearchingResolver&) = delete;
  SearchingResolver& operator=(const SearchingResolver&) = delete;

  SearchLookup lookup(const std::string& name);

 private:
  std::vector<std::string> candidates(const std::string& name) const;
  // One query and its answer (matched by ID); rcode and answer count, or rcode -1 on a 2 s timeout.
  std::pair<int, std::size_t> ask(const std::string& name);

  int socket_ = -1;
  std::vector<std::string> search_;
  unsigned ndots_;
  std::uint16_t next_id_ = 1;
};

}  // namespace skiff::bench
