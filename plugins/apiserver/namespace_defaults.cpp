#include "namespace_defaults.hpp"

#include "api_error.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/service_account.pb.h"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/store/v1/store.pb.h"

namespace skiff::apiserver {

namespace core = api::core::v1;

namespace {

bool is_missing(const ApiError& e) { return e.status().code == 404; }

// Namespaces being deleted refuse new objects (403) and one made meanwhile already exists (409).
bool is_expected_refusal(const ApiError& e) { return e.status().code == 403 || e.status().code == 409; }

}  // namespace

void NamespaceDefaults::reconcile(const std::string& ns) {
  try {
    MessagePtr found = api_.get(*sdk::find_resource("namespaces"), "", ns);
    if (!sdk::meta_of(*found).deletion_timestamp().empty()) return;
  } catch (const ApiError& e) {
    if (is_missing(e)) return;
    throw;
  }
  ensure_service_account(ns);
  ensure_root_ca(ns);
}

void NamespaceDefaults::reconcile_all() {
  for (const auto& object : api_.list(*sdk::find_resource("namespaces"), {}).items) reconcile(sdk::meta_of(*object).name());
}

void NamespaceDefaults::ensure_service_account(const std::string& ns) {
  const sdk::ResourceType& type = *sdk::find_resource("serviceaccounts");
  try {
    api_.get(type, ns, "default");
    return;
  } catch (const ApiError& e) {
    if (!is_missing(e)) throw;
  }
  auto account = std::make_shared<core::ServiceAccount>();
  account->mutable_metadata()->set_name("default");
  try {
    api_.create(type, ns, account, {});
  } catch (const ApiError& e) {
    if (!is_expected_refusal(e)) throw;
  }
}

void NamespaceDefaults::ensure_root_ca(const std::string& ns) {
  const sdk::ResourceType& type = *sdk::find_resource("configmaps");
  try {
    auto current = api_.get(type, ns, kRootCaConfigMap);
    const auto& map = static_cast<const core::ConfigMap&>(*current).data();
    auto ca = map.find("ca.crt");
    if (ca != map.end() && ca->second == ca_pem_) return;
    api_.modify(type, ns, kRootCaConfigMap, [&](const google::protobuf::Message& now) {
      auto next = std::make_shared<core::ConfigMap>(static_cast<const core::ConfigMap&>(now));
      (*next->mutable_data())["ca.crt"] = ca_pem_;
      return next;
    }, "", {});
    return;
  } catch (const ApiError& e) {
    if (!is_missing(e)) throw;
  }
  auto map = std::make_shared<core::ConfigMap>();
  map->mutable_metadata()->set_name(kRootCaConfigMap);
  (*map->mutable_metadata()->mutable_annotations())["kubernetes.io/description"] =
      "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the "
      "internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes "
      "clusters.";
  (*map->mutable_data())["ca.crt"] = ca_pem_;
  try {
    api_.create(type, ns, map, {});
  } catch (const ApiError& e) {
    if (!is_expected_refusal(e)) throw;
  }
}

NamespaceDefaultsLoop::NamespaceDefaultsLoop(sdk::Bus& bus, const sdk::Subjects& subjects, NamespaceDefaults& defaults,
                                             spdlog::logger& log)
    : bus_(bus), subjects_(subjects), defaults_(defaults), log_(log) {}

NamespaceDefaultsLoop::~NamespaceDefaultsLoop() { stop(); }

void NamespaceDefaultsLoop::start() {
  for (const char* resource : {"namespaces", "serviceaccounts", "configmaps"}) {
    const sdk::ResourceType& type = *sdk::find_resource(resource);
    bool is_namespace = type.kind == "Namespace";
    watches_.push_back(bus_.subscribe(subjects_.watch(type.group, type.kind), [this, &type, is_namespace](const sdk::Message& message) {
      store::v1::WatchBatch batch;
      if (!batch.ParseFromString(message.data)) return;
      for (const auto& event : batch.events()) {
        auto object = type.new_object();
        if (!object->ParseFromString(event.object())) continue;
        const auto& meta = sdk::meta_of(*object);
        if (is_namespace && event.type() == "ADDED") queue(meta.name());
        else if (!is_namespace && (meta.name() == "default" || meta.name() == kRootCaConfigMap) &&
                 (event.type() == "DELETED" || type.kind == "ConfigMap"))
          queue(meta.namespace_());
      }
    }));
  }
  thread_ = std::thread([this] { run(); });
}

void NamespaceDefaultsLoop::stop() {
  watches_.clear();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NamespaceDefaultsLoop::queue(std::string ns) {
  {
    std::lock_guard lock(mutex_);
    pending_.insert(std::move(ns));
  }
  wake_.notify_all();
}

void NamespaceDefaultsLoop::run() {
  auto next_full_pass = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    bool full = std::chrono::steady_clock::now() >= next_full_pass;
    std::set<std::string> namespaces = std::move(pending_);
    pending_.clear();
    lock.unlock();
    try {
      if (full) defaults_.reconcile_all();
      else
        for (const auto& ns : namespaces) defaults_.reconcile(ns);
      if (full) next_full_pass = std::chrono::steady_clock::now() + kFullPass;
    } catch (const std::exception& e) {
      log_.warn("namespace defaults (default ServiceAccount, {}): {}; a pass over every namespace follows in 5 s",
                kRootCaConfigMap, e.what());
      next_full_pass = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    }
    lock.lock();
    wake_.wait_until(lock, next_full_pass, [&] { return stopping_ || !pending_.empty(); });
  }
}

}  // namespace skiff::apiserver
