// The cluster's cloud provider as the controllers share it: the client, and its capabilities
// asked once it answers (a provider plugin may start after the controllers).
#pragma once

#include <mutex>
#include <optional>

#include "skiff/sdk/cloudprovider/cloud_provider_client.hpp"

namespace skiff::cloud_controllers {

class ProviderHandle {
 public:
  explicit ProviderHandle(sdk::CloudProviderClient client) : client_(std::move(client)) {}

  const sdk::CloudProviderClient& client() const { return client_; }
  // Throws Error(503) while no provider answers (the caller's sync is retried with back-off).
  cloudprovider::v1::CapabilitiesResponse capabilities();

 private:
  sdk::CloudProviderClient client_;
  std::mutex mutex_;
  std::optional<cloudprovider::v1::CapabilitiesResponse> capabilities_;
};

}  // namespace skiff::cloud_controllers
