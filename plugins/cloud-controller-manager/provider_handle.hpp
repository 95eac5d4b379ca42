// The cluster's cloud provider as the controllers share it: the client, and its capabilities —
// asked once it answers and asked again by refresh(), because a provider plugin may start after
// the controllers, go, or come back (restarted, another one) claiming other parts.
#pragma once

#include <mutex>
#include <optional>

#include "skiff/sdk/cloudprovider/cloud_provider_client.hpp"

namespace skiff::cloud_controllers {

class ProviderHandle {
 public:
  explicit ProviderHandle(sdk::CloudProviderClient client) : client_(std::move(client)) {}

  const sdk::CloudProviderClient& client() const { return client_; }
  // The capabilities last heard; asked now when none were. Throws Error(503) while no
  // provider answers (the caller's sync is retried with back-off).
  cloudprovider::v1::CapabilitiesResponse capabilities();
  // Asks the provider again: true when its answer differs from the one the last refresh heard
  // (it appeared, or came back claiming other parts), so the caller re-queues what was skipped.
  // No answer keeps the capabilities (a provider restarting is not one without parts) and is
  // no change.
  bool refresh();

 private:
  std::optional<cloudprovider::v1::CapabilitiesResponse> ask() const;

  sdk::CloudProviderClient client_;
  std::mutex mutex_;
  std::optional<cloudprovider::v1::CapabilitiesResponse> capabilities_;
  std::optional<cloudprovider::v1::CapabilitiesResponse> last_refreshed_;
};

// "local: instances, load balancer" for the log.
std::string describe(const cloudprovider::v1::CapabilitiesResponse& capabilities);

}  // namespace skiff::cloud_controllers
