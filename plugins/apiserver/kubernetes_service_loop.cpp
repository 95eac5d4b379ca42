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

// Another apiserver's identity lease came, went or was renewed.
bool touches_apiserver_leases(const store::v1::WatchBatch& batch) {
  const sdk::ResourceType& type = *sdk::find_resource("leases.coordination.k8s.io");
  for (const auto& event : batch.events()) {
    auto object = type.new_object();
    if (!object->ParseFromString(event.object())) continue;
    const auto& meta = sdk::meta_of(*object);
    if (meta.namespace_() == "kube-system" && meta.labels().count(kApiserverIdentityLabel)) return true;
  }
  return false;
}

}  // namespace

KubernetesServiceLoop::KubernetesServiceLoop(sdk::Bus& bus, const sdk::Subjects& subjects, KubernetesService& service,
                                             spdlog::logger& log, ApiserverLeases* leases)
    : bus_(bus), subjects_(subjects), service_(service), log_(log), leases_(leases) {}

KubernetesServiceLoop::~KubernetesServiceLoop() { stop(); }

void KubernetesServiceLoop::start() {
  for (const char* resource : {"services", "endpoints", "endpointslices.discovery.k8s.io"}) {
    const sdk::ResourceType& type = *sdk::find_resource(resource);
    watches_.push_back(bus_.subscribe(subjects_.watch(type.group, type.kind), [this, &type](const sdk::Message& message) {
      store::v1::WatchBatch batch;
      if (batch.ParseFromString(message.data) && touches_kubernetes(type, batch)) wake();
    }));
  }
  if (leases_) {
    const sdk::ResourceType& type = *sdk::find_resource("leases.coordination.k8s.io");
    watches_.push_back(bus_.subscribe(subjects_.watch(type.group, type.kind), [this](const sdk::Message& message) {
      store::v1::WatchBatch batch;
      if (batch.ParseFromString(message.data) && touches_apiserver_leases(batch)) wake();
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
  if (!thread_.joinable()) return;
  thread_.join();
  leave();
}

void KubernetesServiceLoop::leave() {
  if (!leases_) return;
  try {
    leases_->release();
    std::vector<std::string> others = leases_->live();
    std::erase(others, leases_->address());
    if (!others.empty()) service_.reconcile(others);
  } catch (const std::exception& e) {
    log_.warn("the kubernetes Service: could not remove this apiserver from its endpoints ({}); the others drop it "
              "once its lease expires", e.what());
  }
}

// Renewing only when due: a pass woken by another apiserver's renewal must not renew in turn.
void KubernetesServiceLoop::pass() {
  if (!leases_) return service_.reconcile();
  auto now = std::chrono::steady_clock::now();
  if (now - renewed_ >= kRenewInterval) {
    leases_->renew();
    renewed_ = now;
  }
  service_.reconcile(leases_->live());
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
      pass();
    } catch (const std::exception& e) {
      log_.warn("the kubernetes Service: {} (tried again within {} s)", e.what(), kInterval.count());
    }
    lock.lock();
    wake_.wait_for(lock, leases_ ? std::chrono::seconds(kRenewInterval) : kInterval, [&] { return stopping_ || pending_; });
  }
}

}  // namespace skiff::apiserver
