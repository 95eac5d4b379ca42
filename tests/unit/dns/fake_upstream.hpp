// A stand-in for the node's upstream DNS server, run by the test on 127.0.0.1 (UDP and TCP on
// one port): answers from a table the test fills, can truncate over UDP, stay silent or fail,
// and counts what it was asked.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "forwarder.hpp"

namespace skiff::dns::test {

struct FakeRecord {
  std::string name;
  std::string address;  // A or AAAA by its family
  std::uint32_t ttl = 60;
};

// A response to `question` holding `records` in its answer section.
std::vector<std::uint8_t> upstream_answer(const UpstreamQuestion& question, const std::vector<FakeRecord>& records,
                                          std::uint16_t id = 0);
// A negative response (or SERVFAIL) with, unless told otherwise, an SOA in authority.
std::vector<std::uint8_t> upstream_negative(const UpstreamQuestion& question, std::uint16_t rcode, std::uint32_t soa_ttl,
                                            std::uint32_t soa_minimum, bool with_soa = true, std::uint16_t id = 0);

class FakeUpstream {
 public:
  enum class Behaviour { Answer, Nxdomain, Servfail, Silent, TruncateOverUdp };

  FakeUpstream();  // listens on 127.0.0.1, a free port
  // On an address of the test's own (a lab's bridge) and a given port (0: a free one).
  FakeUpstream(const std::string& address, std::uint16_t port);
  ~FakeUpstream();

  // How to answer `name` (any type): the records that match the asked type are answered.
  void set(const std::string& name, Behaviour behaviour, std::vector<FakeRecord> records = {});
  std::uint16_t port() const { return port_; }
  int udp_queries() const { return udp_queries_.load(); }
  int tcp_queries() const { return tcp_queries_.load(); }

 private:
  struct Impl;
  std::vector<std::uint8_t> respond(const std::vector<std::uint8_t>& query, bool over_udp);

  std::mutex mutex_;
  std::map<std::string, std::pair<Behaviour, std::vector<FakeRecord>>> table_;
  std::atomic<int> udp_queries_{0}, tcp_queries_{0};
  std::uint16_t port_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::dns::test
