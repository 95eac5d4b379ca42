// The local provisioner of one node: for claims handed to its provisioner name
// (volume.kubernetes.io/storage-provisioner) whose selected node is this one, it makes a
// loop-mounted ext4 volume and a PersistentVolume pinned to the node (kubernetes.io/hostname)
// and pre-bound to the claim; Immediate claims have no selected node, so every node's
// provisioner tries to set it to itself with the claim's resourceVersion as precondition and
// the one that wins provisions. Released volumes of reclaim policy Delete are unmounted and
// removed, then their PV deleted. On start it makes the default StorageClass if absent, labels
// its Node so the scheduler sends WaitForFirstConsumer pods here, and re-mounts its volumes.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "host_commands.hpp"
#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/storage/v1/storage.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/event_recorder.hpp"
#include "skiff/sdk/informer.hpp"
#include "skiff/sdk/work_queue.hpp"

namespace spdlog {
class logger;
}

namespace skiff::storage_local {

struct ProvisionerOptions {
  std::string node;
  std::string provisioner;      // skiff.io/local-storage
  std::string directory;        // where images and mount points live
  std::string mount_namespace;  // see HostCommands
  std::string default_class;    // the StorageClass made if absent ("" makes none)
};

class LocalProvisioner {
 public:
  LocalProvisioner(sdk::Bus& bus, const sdk::Subjects& subjects, ProvisionerOptions options, spdlog::logger& log);
  ~LocalProvisioner();
  void start();
  void stop();

 private:
  bool sync(const std::string& key);
  void sync_claim(const api::core::v1::PersistentVolumeClaim& claim);
  void sync_volume(const api::core::v1::PersistentVolume& volume);
  void provision(const api::core::v1::PersistentVolumeClaim& claim, const api::storage::v1::StorageClass& storage_class);
  void ensure_default_class();
  void label_node();
  void remount_volumes();
  bool is_ours_here(const api::core::v1::PersistentVolume& volume) const;

  sdk::ApiClient api_;
  ProvisionerOptions options_;
  spdlog::logger& log_;
  HostCommands host_;
  sdk::EventRecorder events_;
  sdk::Informer<api::core::v1::PersistentVolumeClaim> claims_;
  sdk::Informer<api::core::v1::PersistentVolume> volumes_;
  sdk::Informer<api::storage::v1::StorageClass> classes_;
  sdk::WorkQueue queue_;
  std::thread worker_;
};

}  // namespace skiff::storage_local
