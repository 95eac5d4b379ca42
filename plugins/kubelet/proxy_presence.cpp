// Asking the kernel of this machine whether a proxy plugin is running.
#include "proxy_presence.hpp"

#include "skiff/kernel/v1/kernel.pb.h"
#include "skiff/sdk/bus_proto.hpp"

namespace skiff::kubelet {

std::function<bool()> proxy_presence(sdk::Bus& bus, const sdk::Subjects& subjects) {
  return [&bus, subject = subjects.kernel_status()] {
    try {
      auto status = sdk::call<kernel::v1::NodeStatus>(bus, subject, kernel::v1::StatusRequest(),
                                                      std::chrono::milliseconds(2000));
      for (const auto& plugin : status.plugins())
        if (plugin.kind() == "proxy" && plugin.state() == "running") return true;
    } catch (const std::exception&) {
    }
    return false;
  };
}

}  // namespace skiff::kubelet
