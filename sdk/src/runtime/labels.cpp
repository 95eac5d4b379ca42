// The standard labels of sandboxes and containers, built the same way by every runtime.
#include "skiff/sdk/runtime/labels.hpp"

namespace skiff::sdk {

std::map<std::string, std::string> sandbox_labels(const runtime::v1::SandboxConfig& config) {
  std::map<std::string, std::string> labels(config.labels().begin(), config.labels().end());
  labels[label::kPodUid] = config.pod_uid();
  labels[label::kPodName] = config.pod_name();
  labels[label::kPodNamespace] = config.namespace_();
  labels[label::kKind] = label::kKindSandbox;
  return labels;
}

std::map<std::string, std::string> container_labels(const runtime::v1::CreateContainerRequest& request) {
  const auto& pod = request.sandbox_config();
  const auto& config = request.config();
  std::map<std::string, std::string> labels(pod.labels().begin(), pod.labels().end());
  for (const auto& [key, value] : config.labels()) labels[key] = value;
  labels[label::kPodUid] = pod.pod_uid();
  labels[label::kPodName] = pod.pod_name();
  labels[label::kPodNamespace] = pod.namespace_();
  labels[label::kContainerName] = config.name();
  labels[label::kKind] = label::kKindContainer;
  labels[label::kSandboxId] = request.sandbox_id();
  labels[label::kContainerAttempt] = std::to_string(config.attempt());
  return labels;
}

}  // namespace skiff::sdk
