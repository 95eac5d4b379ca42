// A minimal etcd v3 client over its JSON gateway (HTTP/1.1 keep-alive, Boost.Beast), for
// benchmarking the store against etcd in the same run.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

namespace skiff::bench {

class EtcdClient {
 public:
  explicit EtcdClient(int port);
  void put(const std::string& key, const std::string& value);
  std::string get(const std::string& key);  // the value, "" if absent
  // Streams events under `prefix` until `stop`; calls on_events(count) per message.
  void watch(const std::string& prefix, const std::function<void(int)>& on_events, const std::atomic<bool>& stop);
  // Unblocks a watch() running on another thread.
  void interrupt();

 private:
  std::string post(const std::string& target, const std::string& body);
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  int port_;
};

}  // namespace skiff::bench
