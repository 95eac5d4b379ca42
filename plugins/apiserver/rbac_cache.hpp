// Keeps the RBAC authorizer's snapshot current: the four RBAC kinds are listed at start and
// again as soon as the store reports a change to any of them (and every 10 s, for a lost watch
// message), so a new binding applies within milliseconds and a request never waits on the
// store. Each pass also runs the ClusterRole aggregation controller: an aggregated
// ClusterRole's rules become the union of the rules of the ClusterRoles its selectors match.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "api_core.hpp"
#include "rbac_authorizer.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::apiserver {

class RbacCache {
 public:
  static constexpr std::chrono::seconds kResync{10};

  RbacCache(sdk::Bus& bus, const sdk::Subjects& subjects, ApiCore& api, RbacAuthorizer& authorizer, spdlog::logger& log);
  ~RbacCache();  // stops

  // Loads the policy once (so the first request is answered from it), then follows changes.
  void start();
  void stop();

 private:
  void run();
  void wake();
  void refresh();

  sdk::Bus& bus_;
  sdk::Subjects subjects_;
  ApiCore& api_;
  RbacAuthorizer& authorizer_;
  spdlog::logger& log_;
  std::vector<sdk::Subscription> watches_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

// The snapshot the store's objects make.
std::shared_ptr<RbacPolicy> load_rbac_policy(ApiCore& api);
// The rules an aggregated ClusterRole should hold now: those of every other ClusterRole one of
// its selectors matches (in name order, each rule once). nullopt for a role without aggregationRule.
std::optional<std::vector<rbac::PolicyRule>> aggregated_rules(const RbacPolicy& policy, const rbac::ClusterRole& role);

}  // namespace skiff::apiserver
