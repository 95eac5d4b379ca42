// A proxy under test on 127.0.0.1 (one plain and one TLS listener on free ports), with routes
// built from a few words, and the access log and metrics it reported, recorded.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "proxy_server.hpp"
#include "route_table.hpp"
#include "test_backend.hpp"

namespace skiff::ingress::test {

class RecordingObserver : public AccessLog, public ProxyMetrics {
 public:
  void request_done(const RequestRecord& record) override;
  void count_request(const BackendIdentity* backend, unsigned status) override;
  void observe_upstream_latency(const BackendIdentity& backend, std::chrono::microseconds latency) override;

  std::vector<RequestRecord> records() const;
  // Requests counted for (ingress name or "-", status).
  std::size_t requests(const std::string& ingress, unsigned status) const;
  std::size_t latencies(const std::string& ingress) const;

 private:
  mutable std::mutex mutex_;
  std::vector<RequestRecord> records_;
  std::map<std::pair<std::string, unsigned>, std::size_t> counts_;
  std::map<std::string, std::size_t> latencies_;
};

// A backend named "<service>" of Ingress "default/<ingress>" on these endpoints.
Backend backend_of(const std::string& ingress, const std::string& service, std::vector<Endpoint> endpoints);
Backend backend_of(const std::string& ingress, const TestBackend& server);

// An Ingress "default/<name>" with one rule: host, and paths (all Prefix unless given).
IngressValues simple_ingress(const std::string& name, const std::string& host,
                             std::vector<std::pair<std::string, Backend>> paths, PathType type = PathType::Prefix);

class ProxyLab : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Starts the proxy with `config` changes made by `adjust` (before start).
  void start(const std::function<void(ProxyConfig&)>& adjust = {});
  void set_routes(const std::vector<IngressValues>& ingresses);

  std::uint16_t http_port() const { return bound_[0].port; }
  std::uint16_t https_port() const { return bound_[1].port; }

  RecordingObserver observer_;
  std::unique_ptr<ProxyServer> proxy_;
  std::vector<Listener> bound_;
};

}  // namespace skiff::ingress::test
