// The runtimes one kubelet drives: its node's default runtime and, for each RuntimeClass
// handler, the runtime plugin answering to it — picked per pod by spec.runtimeClassName.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/node/v1/runtime_class.pb.h"
#include "skiff/sdk/informer.hpp"
#include "skiff/sdk/runtime/runtime_client.hpp"

namespace skiff::kubelet {

using RuntimeClasses = sdk::Informer<api::node::v1::RuntimeClass>;

class RuntimeSet {
 public:
  // `classes` is shared by the kubelets of one process and outlives this set.
  RuntimeSet(sdk::Bus& bus, const sdk::Subjects& subjects, std::string node, const RuntimeClasses& classes);

  const sdk::RuntimeClient& default_runtime() const { return default_; }
  // The pod's runtime. Throws Error(404) as Kubernetes words it when its RuntimeClass is missing.
  const sdk::RuntimeClient& for_pod(const api::core::v1::Pod& pod);
  // Every runtime that may hold this node's containers: the default one and one per handler
  // the RuntimeClasses name (a handler not served on this node answers 503: skip it).
  std::vector<const sdk::RuntimeClient*> all();
  // What Kubernetes puts before container ids ("docker", "containerd"): the runtime's own name
  // from its version, asked once; "" while it does not answer.
  std::string id_scheme(const sdk::RuntimeClient& runtime);

 private:
  const sdk::RuntimeClient& for_handler(const std::string& handler);  // with mutex_ held

  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
  std::string node_;
  const RuntimeClasses& classes_;
  sdk::RuntimeClient default_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<sdk::RuntimeClient>> by_handler_;
  std::map<const sdk::RuntimeClient*, std::string> schemes_;
};

}  // namespace skiff::kubelet
