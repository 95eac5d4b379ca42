// The runtime contract on runc with no daemon: a sandbox is the pod's pinned namespaces
// (namespace_pin.hpp) attached through CNI; a container is an OCI bundle on an overlay root,
// made by `runc create` under its own monitor (monitor/) and started with `runc start`; all
// state is files under the plugin's data dir, so a restarted plugin finds everything as it was.
#pragma once

#include <memory>
#include <string>

#include "disk_usage.hpp"
#include "image_service.hpp"
#include "image_store.hpp"
#include "namespace_pin.hpp"
#include "pod_network.hpp"
#include "runc_cli.hpp"
#include "skiff/sdk/runtime/runtime_service.hpp"

namespace skiff::runc {

struct RuncRuntimeOptions {
  std::string data_dir;   // sandboxes/, containers/, logs/ go here
  std::string monitor;    // skiff-runc-monitor
  std::string init;       // skiff-runc-init
  std::string cgroup_parent;
  std::int64_t log_max_bytes = 10 * 1024 * 1024;
  std::int64_t log_max_files = 2;
  std::string network_source;  // for status messages
};

class RuncRuntime final : public sdk::RuntimeService {
 public:
  RuncRuntime(RuncCli& runc, ImageStore& store, ImageService& images, runtime_common::PodNetwork& network,
              RuncRuntimeOptions options);

  SKIFF_RUNTIME_SERVICE_OVERRIDES

  // After a restart: containers runc knows but no record names are deleted, sandboxes whose
  // namespaces are gone (a reboot) are marked stopped; a line for the log.
  std::string adopt();
  // Removes the blobs and layers no image and no container uses; how many.
  std::size_t collect_garbage();

 private:
  std::string sandbox_dir(const std::string& id) const { return options_.data_dir + "/sandboxes/" + id; }
  std::string container_dir(const std::string& id) const { return options_.data_dir + "/containers/" + id; }
  runtime::v1::Sandbox load_sandbox(const std::string& id) const;  // 404 when unknown
  PodNamespaces sandbox_namespaces(const runtime::v1::Sandbox& sandbox) const;
  runtime::v1::ContainerStatus load_container(const std::string& id) const;  // 404 when unknown
  std::string container_status_state(const std::string& id) const;
  std::vector<std::string> ids_in(const std::string& dir) const;
  std::string log_path_for(const runtime::v1::CreateContainerRequest& request) const;
  std::string make_bundle(const std::string& id, const runtime::v1::CreateContainerRequest& request,
                          const ImageRecord& image, const runtime::v1::Sandbox& sandbox);
  bool wait_for_exit(const std::string& id, std::chrono::milliseconds timeout) const;
  void detach_network(const runtime::v1::Sandbox& sandbox);

  RuncCli& runc_;
  ImageStore& store_;
  ImageService& images_;
  runtime_common::PodNetwork& network_;
  RuncRuntimeOptions options_;
  std::string runc_version_;
  runtime_common::DiskUsageCache layer_usage_;  // writable layers, walked at most every 30 s
};

}  // namespace skiff::runc
