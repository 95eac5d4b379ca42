// Every namespace holds the `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap (the
// CA pods check the apiserver with), as Kubernetes' serviceaccount and root-ca-cert-publisher
// controllers keep them: made with the namespace, put back when deleted, the CA kept current.
// A loop of its own wakes on the store's events for the three kinds, and passes over every
// namespace each minute for what a lost event missed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "api_core.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::apiserver {

inline constexpr const char* kRootCaConfigMap = "kube-root-ca.crt";

class NamespaceDefaults {
 public:
  NamespaceDefaults(ApiCore& api, std::string ca_pem) : api_(api), ca_pem_(std::move(ca_pem)) {}
  // Creates what the namespace lacks; a namespace being deleted is left alone.
  void reconcile(const std::string& ns);
  // Every namespace.
  void reconcile_all();

 private:
  void ensure_service_account(const std::string& ns);
  void ensure_root_ca(const std::string& ns);

  ApiCore& api_;
  std::string ca_pem_;
};

class NamespaceDefaultsLoop {
 public:
  static constexpr std::chrono::seconds kFullPass{60};

  NamespaceDefaultsLoop(sdk::Bus& bus, const sdk::Subjects& subjects, NamespaceDefaults& defaults, spdlog::logger& log);
  ~NamespaceDefaultsLoop();  // stops

  void start();
  void stop();

 private:
  void run();
  void queue(std::string ns);

  sdk::Bus& bus_;
  sdk::Subjects subjects_;
  NamespaceDefaults& defaults_;
  spdlog::logger& log_;
  std::vector<sdk::Subscription> watches_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::set<std::string> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::apiserver
