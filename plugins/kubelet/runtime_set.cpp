#include "runtime_set.hpp"

namespace skiff::kubelet {

RuntimeSet::RuntimeSet(sdk::Bus& bus, const sdk::Subjects& subjects, std::string node, const RuntimeClasses& classes)
    : bus_(bus), subjects_(subjects), node_(std::move(node)), classes_(classes), default_(bus, subjects, node_) {}

const sdk::RuntimeClient& RuntimeSet::for_handler(const std::string& handler) {
  auto& client = by_handler_[handler];
  if (!client) client = std::make_unique<sdk::RuntimeClient>(bus_, subjects_, node_, std::chrono::seconds(60), handler);
  return *client;
}

const sdk::RuntimeClient& RuntimeSet::for_pod(const api::core::v1::Pod& pod) {
  if (!pod.spec().has_runtime_class_name() || pod.spec().runtime_class_name().empty()) return default_;
  const std::string& name = pod.spec().runtime_class_name();
  auto runtime_class = classes_.get("", name);
  if (!runtime_class) throw sdk::Error(sdk::Status::NotFound("RuntimeClass \"" + name + "\" not found"));
  std::lock_guard lock(mutex_);
  return for_handler(runtime_class->handler());
}

std::vector<const sdk::RuntimeClient*> RuntimeSet::all() {
  std::vector<const sdk::RuntimeClient*> out{&default_};
  std::lock_guard lock(mutex_);
  for (const auto& runtime_class : classes_.list()) out.push_back(&for_handler(runtime_class->handler()));
  return out;
}

std::string RuntimeSet::id_scheme(const sdk::RuntimeClient& runtime) {
  {
    std::lock_guard lock(mutex_);
    if (auto known = schemes_.find(&runtime); known != schemes_.end()) return known->second;
  }
  std::string name;
  try {
    name = runtime.version().runtime_name();
  } catch (const std::exception&) {
    return "";  // asked again next time
  }
  std::lock_guard lock(mutex_);
  schemes_[&runtime] = name;
  return name;
}

}  // namespace skiff::kubelet
