#include "shared_informers.hpp"

#include "pod_transform.hpp"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/storage/volumes.hpp"

namespace skiff::controllers {

namespace {

std::vector<std::string> owner_uids(const google::protobuf::Message& object) {
  std::vector<std::string> uids;
  for (const auto& ref : sdk::meta_of(object).owner_references()) uids.push_back(ref.uid());
  return uids;
}

std::vector<std::string> service_of_slice(const google::protobuf::Message& object) {
  const auto& meta = sdk::meta_of(object);
  auto it = meta.labels().find("kubernetes.io/service-name");
  if (it == meta.labels().end()) return {};
  return {meta.namespace_() + "/" + it->second};
}

std::vector<std::string> claims_of_pod(const google::protobuf::Message& object) {
  const auto& pod = static_cast<const core::Pod&>(object);
  std::vector<std::string> keys;
  for (const auto& claim : sdk::storage::claims_of_volumes(pod.spec().volumes()))
    keys.push_back(pod.metadata().namespace_() + "/" + claim);
  return keys;
}

// What a ReplicaSet may adopt, without walking every pod of the namespace
// (Kubernetes' orphan pod index).
std::vector<std::string> namespace_of_orphan(const google::protobuf::Message& object) {
  const auto& meta = sdk::meta_of(object);
  for (const auto& ref : meta.owner_references())
    if (ref.controller()) return {};
  return {meta.namespace_()};
}

}  // namespace

SharedInformers::SharedInformers(sdk::Bus& bus, const sdk::Subjects& subjects, spdlog::logger* log)
    : bus_(bus), subjects_(subjects), log_(log), source_(sdk::api_source(bus, subjects)) {}

template <class T>
sdk::Informer<T>& SharedInformers::typed(std::unique_ptr<sdk::Informer<T>>& slot, sdk::InformerOptions options) {
  if (!slot) {
    if (!options.transform) options.transform = sdk::strip_managed_fields;
    slot = std::make_unique<sdk::Informer<T>>(bus_, subjects_, source_, options, log_);
    slot->add_index(kByOwner, owner_uids);
    all_.push_back(&slot->shared());
  }
  return *slot;
}

sdk::Informer<core::Pod>& SharedInformers::pods() {
  bool fresh = !pods_;
  sdk::InformerOptions options;
  options.transform = trim_pod_for_controllers;
  auto& informer = typed(pods_, options);
  if (fresh) {
    informer.add_index(kByNode, sdk::index_by_field("spec.nodeName"));
    informer.add_index(kByClaim, claims_of_pod);
    informer.add_index(kOrphansIn, namespace_of_orphan);
  }
  return informer;
}
sdk::Informer<apps::ReplicaSet>& SharedInformers::replica_sets() { return typed(replica_sets_); }
sdk::Informer<apps::Deployment>& SharedInformers::deployments() { return typed(deployments_); }
sdk::Informer<apps::DaemonSet>& SharedInformers::daemon_sets() { return typed(daemon_sets_); }
sdk::Informer<apps::StatefulSet>& SharedInformers::stateful_sets() { return typed(stateful_sets_); }
sdk::Informer<apps::ControllerRevision>& SharedInformers::controller_revisions() {
  return typed(controller_revisions_);
}
sdk::Informer<api::batch::v1::Job>& SharedInformers::jobs() { return typed(jobs_); }
sdk::Informer<api::batch::v1::CronJob>& SharedInformers::cron_jobs() { return typed(cron_jobs_); }
sdk::Informer<core::Service>& SharedInformers::services() { return typed(services_); }
sdk::Informer<core::Endpoints>& SharedInformers::endpoints() { return typed(endpoints_); }
sdk::Informer<api::discovery::v1::EndpointSlice>& SharedInformers::endpoint_slices() {
  bool fresh = !endpoint_slices_;
  auto& informer = typed(endpoint_slices_);
  if (fresh) informer.add_index(kByService, service_of_slice);
  return informer;
}
sdk::Informer<core::Node>& SharedInformers::nodes() { return typed(nodes_); }
sdk::Informer<api::coordination::v1::Lease>& SharedInformers::node_leases() {
  sdk::InformerOptions options;
  options.list.namespace_ = "kube-node-lease";
  return typed(node_leases_, options);
}

sdk::Informer<core::PersistentVolume>& SharedInformers::persistent_volumes() { return typed(persistent_volumes_); }
sdk::Informer<core::PersistentVolumeClaim>& SharedInformers::persistent_volume_claims() {
  return typed(persistent_volume_claims_);
}
sdk::Informer<api::storage::v1::StorageClass>& SharedInformers::storage_classes() { return typed(storage_classes_); }

sdk::SharedInformer& SharedInformers::of(const sdk::ResourceType& type) {
  if (type.kind == "Pod") return pods().shared();
  if (type.kind == "ReplicaSet") return replica_sets().shared();
  if (type.kind == "Deployment") return deployments().shared();
  if (type.kind == "DaemonSet") return daemon_sets().shared();
  if (type.kind == "StatefulSet") return stateful_sets().shared();
  if (type.kind == "ControllerRevision") return controller_revisions().shared();
  if (type.kind == "Job") return jobs().shared();
  if (type.kind == "CronJob") return cron_jobs().shared();
  if (type.kind == "Service") return services().shared();
  if (type.kind == "Endpoints") return endpoints().shared();
  if (type.kind == "EndpointSlice") return endpoint_slices().shared();
  if (type.kind == "PersistentVolumeClaim") return persistent_volume_claims().shared();
  for (const auto& other : others_)
    if (&other->type() == &type) return *other;
  others_.push_back(std::make_unique<sdk::SharedInformer>(bus_, subjects_, type, source_, sdk::InformerOptions{}, log_));
  others_.back()->add_index(kByOwner, owner_uids);
  all_.push_back(others_.back().get());
  return *others_.back();
}

void SharedInformers::start() {
  for (auto* informer : all_) informer->start();
}

bool SharedInformers::wait_for_sync(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto* informer : all_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!informer->wait_for_sync(std::max(left, std::chrono::milliseconds(0)))) return false;
  }
  return true;
}

void SharedInformers::stop() {
  for (auto* informer : all_) informer->stop();
}

}  // namespace skiff::controllers
