// ProviderHandle: capabilities are fixed for a provider's life, so asked once.
#include "provider_handle.hpp"

namespace skiff::cloud_controllers {

cloudprovider::v1::CapabilitiesResponse ProviderHandle::capabilities() {
  std::lock_guard lock(mutex_);
  if (!capabilities_) {
    try {
      capabilities_ = client_.capabilities();
    } catch (const sdk::Error& e) {
      throw sdk::Error(sdk::Status::Unavailable(
          "no cloud provider answers on the bus (" + e.status().message +
          "); run a provider plugin (e.g. cloud-local) on one node of the cluster"));
    }
  }
  return *capabilities_;
}

}  // namespace skiff::cloud_controllers
