// The proxy lab's server, route helpers and recording hooks.
#include "proxy_lab.hpp"

namespace skiff::ingress::test {

void RecordingObserver::request_done(const RequestRecord& record) {
  std::lock_guard lock(mutex_);
  records_.push_back(record);
}

void RecordingObserver::count_request(const BackendIdentity* backend, unsigned status) {
  std::lock_guard lock(mutex_);
  ++counts_[{backend ? backend->ingress_name : "-", status}];
}

void RecordingObserver::observe_upstream_latency(const BackendIdentity& backend, std::chrono::microseconds) {
  std::lock_guard lock(mutex_);
  ++latencies_[backend.ingress_name];
}

std::vector<RequestRecord> RecordingObserver::records() const {
  std::lock_guard lock(mutex_);
  return records_;
}

std::size_t RecordingObserver::requests(const std::string& ingress, unsigned status) const {
  std::lock_guard lock(mutex_);
  auto found = counts_.find({ingress, status});
  return found == counts_.end() ? 0 : found->second;
}

std::size_t RecordingObserver::latencies(const std::string& ingress) const {
  std::lock_guard lock(mutex_);
  auto found = latencies_.find(ingress);
  return found == latencies_.end() ? 0 : found->second;
}

Backend backend_of(const std::string& ingress, const std::string& service, std::vector<Endpoint> endpoints) {
  return {{"default", ingress, service, "80"}, std::move(endpoints)};
}

Backend backend_of(const std::string& ingress, const TestBackend& server) {
  return backend_of(ingress, server.name(), {server.endpoint()});
}

IngressValues simple_ingress(const std::string& name, const std::string& host,
                             std::vector<std::pair<std::string, Backend>> paths, PathType type) {
  IngressValues ingress;
  ingress.namespace_name = "default";
  ingress.name = name;
  IngressRule rule{host, {}};
  for (auto& [path, backend] : paths) rule.paths.push_back({path, type, std::move(backend)});
  ingress.rules.push_back(std::move(rule));
  return ingress;
}

void ProxyLab::SetUp() {}

void ProxyLab::start(const std::function<void(ProxyConfig&)>& adjust) {
  ProxyConfig config;
  config.listen = {{"127.0.0.1", 0, false}, {"127.0.0.1", 0, true}};
  config.workers = 2;
  if (adjust) adjust(config);
  proxy_ = std::make_unique<ProxyServer>(config, &observer_, &observer_);
  proxy_->start();
  bound_ = proxy_->bound();
}

void ProxyLab::set_routes(const std::vector<IngressValues>& ingresses) {
  auto table = std::make_shared<const RouteTable>(ingresses);
  ASSERT_TRUE(table->problems().empty()) << table->problems().front();
  auto problems = proxy_->set_routes(table);
  ASSERT_TRUE(problems.empty()) << problems.front();
}

void ProxyLab::TearDown() {
  if (proxy_) proxy_->stop();
  proxy_.reset();
}

}  // namespace skiff::ingress::test
