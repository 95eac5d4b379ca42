// Puts the addon into the cluster and keeps it there, on a thread of its own: the kube-dns
// Service (when this node creates it), and once the Node exists, the node address served to
// nodes without the addon and its EndpointSlice. A pass every second until all is in place,
// then every 10 s to put back what was deleted or edited.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "skiff/sdk/api_client.hpp"

namespace spdlog {
class logger;
}

namespace skiff::dns {

struct RegistrationOptions {
  std::string node;
  std::string cluster_dns_ip;  // the kube-dns Service's address
  bool create_service = true;
  bool serve_node_address = true;
  std::string node_address;     // "" : the Node's InternalIP
};

class KubeDnsRegistration {
 public:
  // `serve(address)` starts serving the node address; false when it cannot (no slice then).
  KubeDnsRegistration(sdk::Bus& bus, const sdk::Subjects& subjects, RegistrationOptions options,
                      std::function<bool(const std::string&)> serve, spdlog::logger& log);
  ~KubeDnsRegistration();

  void start();
  // Stops the thread; with `withdraw`, deletes this node's slice (other nodes stop sending here).
  void stop(bool withdraw);
  std::string state() const;

 private:
  void run();
  bool pass();
  void ensure_service();
  bool ensure_node_slice();

  sdk::ApiClient api_;
  RegistrationOptions options_;
  std::function<bool(const std::string&)> serve_;
  spdlog::logger& log_;
  std::string served_address_;
  bool warned_address_ = false;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool complete_ = false;
  std::string last_error_;
  std::thread thread_;
};

}  // namespace skiff::dns
