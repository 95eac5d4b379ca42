// ProviderHandle: the capabilities are kept between refreshes, compared field by field.
#include "provider_handle.hpp"

#include <google/protobuf/util/message_differencer.h>

namespace skiff::cloud_controllers {

namespace cp = cloudprovider::v1;

std::optional<cp::CapabilitiesResponse> ProviderHandle::ask() const {
  try {
    return client_.capabilities();
  } catch (const sdk::Error&) {
    return std::nullopt;
  }
}

cp::CapabilitiesResponse ProviderHandle::capabilities() {
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

bool ProviderHandle::refresh() {
  auto answer = ask();
  if (!answer) return false;
  std::lock_guard lock(mutex_);
  capabilities_ = answer;
  bool changed = !last_refreshed_ || !google::protobuf::util::MessageDifferencer::Equals(*last_refreshed_, *answer);
  last_refreshed_ = std::move(answer);
  return changed;
}

std::string describe(const cp::CapabilitiesResponse& capabilities) {
  std::string parts;
  auto add = [&](bool has, const char* name) {
    if (has) parts += (parts.empty() ? "" : ", ") + std::string(name);
  };
  add(capabilities.instances(), "instances");
  add(capabilities.load_balancer(), "load balancer");
  add(capabilities.routes(), "routes");
  return capabilities.provider_name() + ": " + (parts.empty() ? "nothing" : parts);
}

}  // namespace skiff::cloud_controllers
