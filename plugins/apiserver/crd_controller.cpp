// One thread: a watch on CRDs wakes it; each wake re-reads every CRD (there are few) and acts
// on what it finds, so a missed event costs at most one poll interval.
#include "crd_controller.hpp"

#include <algorithm>

#include <google/protobuf/util/message_differencer.h>

#include "api_error.hpp"
#include "skiff/api/apiextensions/v1/apiextensions.pb.h"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {
namespace {

namespace ext = api::apiextensions::v1;
namespace pb = google::protobuf;

const sdk::ResourceType& crd_type() { return sdk::resource_type_of<ext::CustomResourceDefinition>(); }

void set_condition(ext::CustomResourceDefinitionStatus& status, const std::string& type, const std::string& value,
                   const std::string& reason, const std::string& message) {
  ext::CustomResourceDefinitionCondition* condition = nullptr;
  for (auto& c : *status.mutable_conditions())
    if (c.type() == type) condition = &c;
  if (!condition) {
    condition = status.add_conditions();
    condition->set_type(type);
  }
  if (condition->status() != value) condition->set_last_transition_time(sdk::now_rfc3339());
  condition->set_status(value);
  condition->set_reason(reason);
  condition->set_message(message);
}

bool has_finalizer(const api::meta::v1::ObjectMeta& meta) {
  return std::find(meta.finalizers().begin(), meta.finalizers().end(), kCrdCleanupFinalizer) != meta.finalizers().end();
}

// The CRD as the controller wants it: finalizer on, names accepted, established.
ext::CustomResourceDefinition established(const ext::CustomResourceDefinition& crd) {
  ext::CustomResourceDefinition next = crd;
  if (!has_finalizer(next.metadata())) next.mutable_metadata()->add_finalizers(kCrdCleanupFinalizer);
  auto* status = next.mutable_status();
  *status->mutable_accepted_names() = next.spec().names();
  set_condition(*status, "NamesAccepted", "True", "NoConflicts", "no conflicts found");
  set_condition(*status, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted");
  for (const auto& v : next.spec().versions())
    if (v.storage() && std::find(status->stored_versions().begin(), status->stored_versions().end(), v.name()) ==
                           status->stored_versions().end())
      status->add_stored_versions(v.name());
  return next;
}

}  // namespace

CrdController::CrdController(ApiCore& api, WatchFanout& watches, CustomResourceRegistry& registry, spdlog::logger& log)
    : api_(api), watches_(watches), registry_(registry), log_(log) {}

CrdController::~CrdController() { stop(); }

void CrdController::start() {
  refresh();
  thread_ = std::thread([this] { run(); });
}

void CrdController::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CrdController::refresh() {
  std::lock_guard lock(refresh_mutex_);
  std::vector<ServedCustomResourcePtr> served;
  for (const auto& object : api_.list(crd_type(), {}).items) {
    auto entry = served_from(static_cast<const ext::CustomResourceDefinition&>(*object));
    if (entry) served.push_back(std::make_shared<const ServedCustomResource>(std::move(*entry)));
  }
  registry_.replace(std::move(served));
}

void CrdController::run() {
  std::shared_ptr<Watcher> watcher;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    bool busy = false;
    try {
      if (!watcher) watcher = watches_.watch(crd_type(), {}, "");
      busy = reconcile();
      // Wait for a change: the first event wakes us; the rest of the burst is drained.
      auto first = watcher->next(busy ? std::chrono::milliseconds(300) : std::chrono::milliseconds(1000));
      while (first && watcher->next(std::chrono::milliseconds(0))) {
      }
    } catch (const std::exception& e) {
      log_.warn("custom resource definitions: {}", e.what());
      if (watcher) watches_.unwatch(crd_type(), watcher);
      watcher.reset();
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    }
  }
  if (watcher) watches_.unwatch(crd_type(), watcher);
}

bool CrdController::reconcile() {
  refresh();
  bool busy = false;
  for (const auto& object : api_.list(crd_type(), {}).items) {
    const auto& crd = static_cast<const ext::CustomResourceDefinition&>(*object);
    try {
      if (crd.metadata().deletion_timestamp().empty()) {
        establish(crd);
        continue;
      }
      busy = true;
      auto served = served_from(crd);
      if (served) clean_up(crd, *served);
    } catch (const sdk::Error& e) {
      if (e.status().code != 404 && e.status().code != 409)
        log_.warn("custom resource definition {}: {}", crd.metadata().name(), e.what());
    }
  }
  return busy;
}

void CrdController::establish(const ext::CustomResourceDefinition& crd) {
  ext::CustomResourceDefinition wanted = established(crd);
  if (pb::util::MessageDifferencer::Equals(wanted, crd)) return;
  api_.modify(crd_type(), "", crd.metadata().name(), [](const pb::Message& current) -> MessagePtr {
    return std::make_shared<ext::CustomResourceDefinition>(established(static_cast<const ext::CustomResourceDefinition&>(current)));
  }, "", {});
  log_.info("custom resource definition {} established", crd.metadata().name());
}

void CrdController::clean_up(const ext::CustomResourceDefinition& crd, const ServedCustomResource& served) {
  if (!has_finalizer(crd.metadata())) return;
  ListResult left = api_.list(served.type, {});
  for (const auto& item : left.items) {
    const auto& meta = sdk::meta_of(*item);
    if (!meta.deletion_timestamp().empty()) continue;
    try {
      api_.erase(served.type, meta.namespace_(), meta.name(), {});
    } catch (const sdk::Error& e) {
      if (e.status().code != 404) throw;
    }
  }
  if (!left.items.empty() && !api_.list(served.type, {}).items.empty()) {
    bool marked = false;
    for (const auto& c : crd.status().conditions()) marked |= c.type() == "Terminating" && c.status() == "True";
    if (!marked)
      api_.modify(crd_type(), "", crd.metadata().name(), [](const pb::Message& current) -> MessagePtr {
        auto next = std::make_shared<ext::CustomResourceDefinition>(static_cast<const ext::CustomResourceDefinition&>(current));
        set_condition(*next->mutable_status(), "Terminating", "True", "InstanceDeletionInProgress",
                      "CustomResource deletion is in progress");
        return next;
      }, "", {});
    return;
  }
  // Every object is gone: without the finalizer, the CRD goes too.
  api_.modify(crd_type(), "", crd.metadata().name(), [](const pb::Message& current) -> MessagePtr {
    auto next = std::make_shared<ext::CustomResourceDefinition>(static_cast<const ext::CustomResourceDefinition&>(current));
    auto* finalizers = next->mutable_metadata()->mutable_finalizers();
    finalizers->erase(std::remove(finalizers->begin(), finalizers->end(), std::string(kCrdCleanupFinalizer)), finalizers->end());
    return next;
  }, "", {});
  log_.info("custom resource definition {} deleted with its objects", crd.metadata().name());
}

}  // namespace skiff::apiserver
