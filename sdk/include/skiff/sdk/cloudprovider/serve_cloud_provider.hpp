// Puts a CloudProvider on the bus: skiff.<c>.cloudprovider.<op>, the request parsing and the
// worker subscriptions, with the check that no other provider answers there already.
#pragma once

#include <memory>
#include <vector>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/cloudprovider/cloud_provider.hpp"
#include "skiff/sdk/context.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::sdk {

struct CloudProviderServeOptions {
  int workers = 4;  // requests handled at once
  // Refuse to start when another provider already answers (a cluster has one provider).
  bool check_clash = true;
};

// Serves while it lives; destroy it before the provider.
class CloudProviderServer {
 public:
  // Throws Error(422) naming the other provider when one answers already.
  CloudProviderServer(Bus& bus, const Subjects& subjects, CloudProvider& provider, CloudProviderServeOptions options = {});
  ~CloudProviderServer();
  CloudProviderServer(const CloudProviderServer&) = delete;
  CloudProviderServer& operator=(const CloudProviderServer&) = delete;
  void stop();

 private:
  CloudProvider& provider_;
  std::vector<Subscription> subscriptions_;
};

std::unique_ptr<CloudProviderServer> serve_cloud_provider(Context& context, CloudProvider& provider,
                                                          CloudProviderServeOptions options = {});

}  // namespace skiff::sdk
