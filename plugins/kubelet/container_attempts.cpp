// Attempts, restart policy and pull policy of a pod's containers.
#include "container_attempts.hpp"

#include <algorithm>
#include <cstdlib>

#include "container_spec.hpp"

namespace skiff::kubelet {

namespace core = api::core::v1;
namespace rt = runtime::v1;

int attempt_of(const rt::ContainerStatus& container) {
  auto it = container.labels().find(kLabelAttempt);
  return it == container.labels().end() ? 0 : std::atoi(it->second.c_str());
}

std::vector<rt::ContainerStatus> attempts_of(const std::vector<rt::ContainerStatus>& all, const std::string& name) {
  std::vector<rt::ContainerStatus> out;
  for (const auto& c : all) {
    auto it = c.labels().find(kLabelContainer);
    if (it != c.labels().end() && it->second == name) out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return attempt_of(a) < attempt_of(b); });
  return out;
}

std::string restart_policy_of(const core::Pod& pod) {
  return pod.spec().restart_policy().empty() ? "Always" : pod.spec().restart_policy();
}

bool restarts(const std::string& policy, int exit_code) {
  if (policy == "Never") return false;
  if (policy == "OnFailure") return exit_code != 0;
  return true;  // Always (the API allows no other value)
}

std::string pull_policy(const core::Container& container) {
  if (!container.image_pull_policy().empty()) return container.image_pull_policy();
  const auto& image = container.image();
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  return !tagged || image.substr(colon + 1) == "latest" ? "Always" : "IfNotPresent";
}

}  // namespace skiff::kubelet
