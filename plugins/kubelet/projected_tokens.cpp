#include "projected_tokens.hpp"

#include <algorithm>

#include "skiff/sdk/time.hpp"

namespace skiff::kubelet {

namespace core = api::core::v1;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

ProjectedTokens::Clock::time_point ProjectedTokens::renew_at(Clock::time_point issued, Clock::time_point expires) {
  auto life = expires - issued;
  return issued + std::min<Clock::duration>(life * 8 / 10, kRenewAtLatest);
}

std::string ProjectedTokens::token(const core::Pod& pod, const core::ServiceAccountTokenProjection& projection) {
  std::int64_t seconds = projection.has_expiration_seconds() ? projection.expiration_seconds() : 3600;
  std::string key = projection.audience() + "|" + std::to_string(seconds);
  const std::string& uid = pod.metadata().uid();
  auto now = Clock::now();
  {
    std::lock_guard lock(mutex_);
    auto& held = by_pod_[uid];
    if (auto found = held.find(key); found != held.end() && now < found->second.renew_at) return found->second.token;
  }
  api::authentication::v1::TokenRequest request;
  if (!projection.audience().empty()) request.mutable_spec()->add_audiences(projection.audience());
  request.mutable_spec()->set_expiration_seconds(seconds);
  auto* bound = request.mutable_spec()->mutable_bound_object_ref();
  bound->set_kind("Pod");
  bound->set_api_version("v1");
  bound->set_name(pod.metadata().name());
  bound->set_uid(uid);
  api::authentication::v1::TokenRequest issued;
  try {
    issued = api_.request_token(pod.metadata().namespace_(), pod.spec().service_account_name(), request);
  } catch (const sdk::Error& e) {
    throw sdk::Error(sdk::Status{422, "CreateContainerConfigError",
                                 "failed to fetch token for serviceaccount \"" + pod.spec().service_account_name() +
                                     "\": " + e.status().message});
  }
  auto expires = sdk::parse_rfc3339(issued.status().expiration_timestamp()).value_or(now + std::chrono::seconds(seconds));
  std::lock_guard lock(mutex_);
  by_pod_[uid][key] = {issued.status().token(), renew_at(now, expires)};
  return issued.status().token();
}

std::optional<milliseconds> ProjectedTokens::until_due(const std::string& pod_uid) const {
  std::lock_guard lock(mutex_);
  auto found = by_pod_.find(pod_uid);
  if (found == by_pod_.end() || found->second.empty()) return std::nullopt;
  auto soonest = Clock::time_point::max();
  for (const auto& [key, held] : found->second) soonest = std::min(soonest, held.renew_at);
  return std::max(milliseconds(0), duration_cast<milliseconds>(soonest - Clock::now()));
}

void ProjectedTokens::forget(const std::string& pod_uid) {
  std::lock_guard lock(mutex_);
  by_pod_.erase(pod_uid);
}

}  // namespace skiff::kubelet
