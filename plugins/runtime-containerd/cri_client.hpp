// containerd's CRI v1 over its unix socket with gRPC: one channel, a deadline on each call,
// failures thrown as sdk::Error (cri_errors.hpp). The calls are CRI's, one to one.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "runtime/v1/cri.grpc.pb.h"

namespace skiff::containerd {

namespace cri = ::runtime::v1;

class CriClient {
 public:
  CriClient(std::string socket, std::chrono::milliseconds timeout);

  const std::string& socket() const { return socket_; }

  cri::VersionResponse version();
  cri::StatusResponse status();

  cri::RunPodSandboxResponse run_pod_sandbox(const cri::RunPodSandboxRequest& request);
  void stop_pod_sandbox(const std::string& id);
  void remove_pod_sandbox(const std::string& id);
  // `verbose` adds containerd's info (the sandbox's pid, its runtime spec) as JSON under info["info"].
  cri::PodSandboxStatusResponse pod_sandbox_status(const std::string& id, bool verbose = false);
  cri::ListPodSandboxResponse list_pod_sandbox(const cri::ListPodSandboxRequest& request);

  cri::CreateContainerResponse create_container(const cri::CreateContainerRequest& request);
  void start_container(const std::string& id);
  void stop_container(const std::string& id, std::int64_t timeout_seconds);
  void remove_container(const std::string& id);
  cri::ContainerStatusResponse container_status(const std::string& id);
  cri::ListContainersResponse list_containers(const cri::ListContainersRequest& request);
  cri::ContainerStatsResponse container_stats(const std::string& id);
  // Every running container's (CRI's ListContainerStats with no filter).
  cri::ListContainerStatsResponse list_container_stats();
  cri::ExecSyncResponse exec_sync(const cri::ExecSyncRequest& request);
  cri::ExecResponse exec(const cri::ExecRequest& request);
  cri::AttachResponse attach(const cri::AttachRequest& request);

  // An unset `image` in the answer: not present.
  cri::ImageStatusResponse image_status(const std::string& image);
  // Throws sdk::Error with reason ErrImagePull when the pull fails.
  cri::PullImageResponse pull_image(const std::string& image);
  cri::ListImagesResponse list_images();

 private:
  template <class Request, class Response, class Method>
  Response call(Method method, const Request& request, const std::string& what, std::chrono::milliseconds timeout);
  template <class Request, class Response, class Method>
  Response call(Method method, const Request& request, const std::string& what) {
    return call<Request, Response>(method, request, what, timeout_);
  }

  std::string socket_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<cri::RuntimeService::Stub> runtime_;
  std::unique_ptr<cri::ImageService::Stub> images_;
};

}  // namespace skiff::containerd
