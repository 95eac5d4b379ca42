// Keeps the CRD registry current and does what Kubernetes' apiextensions controllers do:
// accepts names and marks a CRD Established (status.conditions, acceptedNames, storedVersions),
// and deletes a deleted CRD's objects before letting it go (finalizer
// customresourcecleanup.apiextensions.k8s.io).
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include <spdlog/logger.h>

#include "api_core.hpp"
#include "custom_resource_registry.hpp"
#include "watch_fanout.hpp"

namespace skiff::apiserver {

inline constexpr const char* kCrdCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

class CrdController {
 public:
  CrdController(ApiCore& api, WatchFanout& watches, CustomResourceRegistry& registry, spdlog::logger& log);
  ~CrdController();
  void start();
  void stop();
  // Reads the stored CRDs into the registry now (nothing is written). Safe from any thread.
  void refresh();

 private:
  void run();
  // refresh, then establish new CRDs and clean up deleted ones; true while a deletion is under way.
  bool reconcile();
  void establish(const api::apiextensions::v1::CustomResourceDefinition& crd);
  // Deletes the CRD's objects; once none is left, removes the finalizer (and so the CRD).
  void clean_up(const api::apiextensions::v1::CustomResourceDefinition& crd, const ServedCustomResource& served);

  ApiCore& api_;
  WatchFanout& watches_;
  CustomResourceRegistry& registry_;
  spdlog::logger& log_;
  std::mutex refresh_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::apiserver
