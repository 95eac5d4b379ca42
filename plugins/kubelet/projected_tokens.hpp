// The tokens of serviceAccountToken projections: asked of the API (TokenRequest bound to the
// pod), kept per pod, and renewed as Kubernetes' kubelet does once 80 % of a token's life or
// 24 hours have passed — the files are written again before the old token expires.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"

namespace skiff::kubelet {

class ProjectedTokens {
 public:
  using Clock = std::chrono::system_clock;
  static constexpr std::chrono::hours kRenewAtLatest{24};

  explicit ProjectedTokens(const sdk::ApiClient& api) : api_(api) {}

  // The projection's token for the pod: the one held until it is due, else a new one.
  // Throws sdk::Error (CreateContainerConfigError) naming the account when the API refuses.
  std::string token(const api::core::v1::Pod& pod, const api::core::v1::ServiceAccountTokenProjection& projection);
  // How long until one of the pod's tokens is due; nullopt when it holds none.
  std::optional<std::chrono::milliseconds> until_due(const std::string& pod_uid) const;
  void forget(const std::string& pod_uid);

  // When a token issued at `issued` that expires at `expires` is renewed.
  static Clock::time_point renew_at(Clock::time_point issued, Clock::time_point expires);

 private:
  struct Held {
    std::string token;
    Clock::time_point renew_at;
  };
  const sdk::ApiClient& api_;
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, Held>> by_pod_;  // pod uid → audience|seconds → token
};

}  // namespace skiff::kubelet
