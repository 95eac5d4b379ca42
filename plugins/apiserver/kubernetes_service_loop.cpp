// The loop around KubernetesService::reconcile, woken by the store's watch events.
#include "kubernetes_service_loop.hpp"

#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/store/v1/store.pb.h"

namespace skiff::apiserver {

namespace {

// Does this batch touch default/kubernetes (or, for slices, one labelled for it)?
bool touches_kubernetes(const sdk::ResourceType& type, const store::v1::WatchBatch& batch) {
  for (const auto& event : batch.events()) {
    auto object = type.new_object();
    if (!object->ParseFromString(event.object())) continue;
    const auto& meta = sdk::meta_of(*object);
    if (meta.namespace_() != "default") continue;
    auto label = meta.labels().find("kubernetes.io/service-name");
    if (meta.name() == "kubernetes" || (label != meta.labels().end() && label->second == "kubernetes")) return true;
  }
  return false;
}

}  // namespace

KubernetesServiceLoop::KubernetesServiceLoop(sdk::Bus& bus, const sdk::Subjects& subjects, KubernetesService& service,
                                             spdlog::logger& log)
    : bus_(bus), subjects_(subjects), service_(service), log_(log) {}

KubernetesServiceLoop::~KubernetesServiceLoop() { stop(); }

void KubernetesServiceLoop::start() {
  for (const char* resource : {"services", "endpoints", "endpointslices.discovery.k8s.io"}) {
    const sdk::ResourceType& type = *sdk::find_resource(resource);
    watches_.push_back(bus_.subscribe(subjects_.watch(type.group, type.kind), [this, &type](const sdk::Message& message) {
      store::v1::WatchBatch batch;
      if (batch.ParseFromString(message.data) && touches_kubernetes(type, batch)) wake();
    }));
  }
  thread_ = std::thread([this] { run(); });
}

void KubernetesServiceLoop::stop() {
  watches_.clear();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void KubernetesServiceLoop::wake() {
  {
    std::lock_guard lock(mutex_);
    pending_ = true;
  }
  wake_.notify_all();
}

void KubernetesServiceLoop::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    pending_ = false;
    lock.unlock();
    try {
      service_.reconcile();
    } catch (const std::exception& e) {
      log_.warn("the kubernetes Service: {} (tried again within {} s)", e.what(), kInterval.count());
    }
    lock.lock();
    wake_.wait_for(lock, kInterval, [&] { return stopping_ || pending_; });
  }
}

}  // namespace skiff::apiserver
