// One informer per resource type, shared by every controller that needs it: each type is
// listed and watched once however many controllers look at it.
#pragma once

#include <chrono>
#include <memory>

#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/apps/v1/workloads.pb.h"
#include "skiff/api/batch/v1/batch.pb.h"
#include "skiff/api/coordination/v1/lease.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"
#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/storage/v1/storage.pb.h"
#include "skiff/sdk/informer.hpp"

namespace skiff::controllers {

namespace core = api::core::v1;
namespace apps = api::apps::v1;

// Index names on top of the namespace index every informer has.
inline constexpr const char* kByOwner = "owner";  // uid of every owner (ownerReferences)
inline constexpr const char* kByNode = "node";    // pods: spec.nodeName
inline constexpr const char* kByService = "service";  // endpoint slices: "<namespace>/<kubernetes.io/service-name>"
inline constexpr const char* kByClaim = "claim";      // pods: "<namespace>/<claimName>" of each persistentVolumeClaim volume
inline constexpr const char* kOrphansIn = "orphans";  // pods without a controller: their namespace

class SharedInformers {
 public:
  SharedInformers(sdk::Bus& bus, const sdk::Subjects& subjects, spdlog::logger* log);

  // Created on first use, before start().
  sdk::Informer<core::Pod>& pods();
  sdk::Informer<apps::ReplicaSet>& replica_sets();
  sdk::Informer<apps::Deployment>& deployments();
  sdk::Informer<apps::DaemonSet>& daemon_sets();
  sdk::Informer<apps::StatefulSet>& stateful_sets();
  sdk::Informer<apps::ControllerRevision>& controller_revisions();
  sdk::Informer<api::batch::v1::Job>& jobs();
  sdk::Informer<api::batch::v1::CronJob>& cron_jobs();
  sdk::Informer<core::Service>& services();
  sdk::Informer<core::Endpoints>& endpoints();
  sdk::Informer<api::discovery::v1::EndpointSlice>& endpoint_slices();
  sdk::Informer<core::Node>& nodes();
  sdk::Informer<api::coordination::v1::Lease>& node_leases();
  sdk::Informer<core::PersistentVolume>& persistent_volumes();
  sdk::Informer<core::PersistentVolumeClaim>& persistent_volume_claims();
  sdk::Informer<api::storage::v1::StorageClass>& storage_classes();
  // Any other namespaced type, for the garbage collector (dependents and owners).
  sdk::SharedInformer& of(const sdk::ResourceType& type);

  void start();
  bool wait_for_sync(std::chrono::milliseconds timeout);
  void stop();

 private:
  template <class T>
  sdk::Informer<T>& typed(std::unique_ptr<sdk::Informer<T>>& slot, sdk::InformerOptions options = {});

  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
  spdlog::logger* log_;
  std::shared_ptr<sdk::ObjectSource> source_;
  std::unique_ptr<sdk::Informer<core::Pod>> pods_;
  std::unique_ptr<sdk::Informer<apps::ReplicaSet>> replica_sets_;
  std::unique_ptr<sdk::Informer<apps::Deployment>> deployments_;
  std::unique_ptr<sdk::Informer<apps::DaemonSet>> daemon_sets_;
  std::unique_ptr<sdk::Informer<apps::StatefulSet>> stateful_sets_;
  std::unique_ptr<sdk::Informer<apps::ControllerRevision>> controller_revisions_;
  std::unique_ptr<sdk::Informer<api::batch::v1::Job>> jobs_;
  std::unique_ptr<sdk::Informer<api::batch::v1::CronJob>> cron_jobs_;
  std::unique_ptr<sdk::Informer<core::Service>> services_;
  std::unique_ptr<sdk::Informer<core::Endpoints>> endpoints_;
  std::unique_ptr<sdk::Informer<api::discovery::v1::EndpointSlice>> endpoint_slices_;
  std::unique_ptr<sdk::Informer<core::Node>> nodes_;
  std::unique_ptr<sdk::Informer<api::coordination::v1::Lease>> node_leases_;
  std::unique_ptr<sdk::Informer<core::PersistentVolume>> persistent_volumes_;
  std::unique_ptr<sdk::Informer<core::PersistentVolumeClaim>> persistent_volume_claims_;
  std::unique_ptr<sdk::Informer<api::storage::v1::StorageClass>> storage_classes_;
  std::vector<std::unique_ptr<sdk::SharedInformer>> others_;
  std::vector<sdk::SharedInformer*> all_;
};

}  // namespace skiff::controllers
