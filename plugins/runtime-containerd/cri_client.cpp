#include "cri_client.hpp"

#include <grpcpp/grpcpp.h>

#include "cri_errors.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::containerd {

namespace {

using namespace std::chrono_literals;

// Stopping waits out the grace period inside containerd: the call may take that long.
constexpr auto kStopSlack = 30s;
// A pull from a registry may take minutes; a missing one fails at once.
constexpr auto kPullTimeout = 10min;

}  // namespace

CriClient::CriClient(std::string socket, std::chrono::milliseconds timeout)
    : socket_(std::move(socket)), timeout_(timeout) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  auto channel = grpc::CreateCustomChannel("unix://" + socket_, grpc::InsecureChannelCredentials(), arguments);
  runtime_ = cri::RuntimeService::NewStub(channel);
  images_ = cri::ImageService::NewStub(channel);
}

template <class Request, class Response, class Method>
Response CriClient::call(Method method, const Request& request, const std::string& what,
                         std::chrono::milliseconds timeout) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  Response response;
  grpc::Status status = method(&context, request, &response);
  if (!status.ok()) throw sdk::Error(status_from_cri(status.error_code(), status.error_message(), what, socket_));
  return response;
}

#define SKIFF_CRI_RUNTIME(Name) \
  [this](grpc::ClientContext* c, const auto& rq, auto* rs) { return runtime_->Name(c, rq, rs); }
#define SKIFF_CRI_IMAGES(Name) \
  [this](grpc::ClientContext* c, const auto& rq, auto* rs) { return images_->Name(c, rq, rs); }

cri::VersionResponse CriClient::version() {
  cri::VersionRequest request;
  request.set_version("v1");
  return call<cri::VersionRequest, cri::VersionResponse>(SKIFF_CRI_RUNTIME(Version), request, "CRI version");
}

cri::StatusResponse CriClient::status() {
  return call<cri::StatusRequest, cri::StatusResponse>(SKIFF_CRI_RUNTIME(Status), cri::StatusRequest{}, "CRI status");
}

cri::RunPodSandboxResponse CriClient::run_pod_sandbox(const cri::RunPodSandboxRequest& request) {
  const auto& meta = request.config().metadata();
  return call<cri::RunPodSandboxRequest, cri::RunPodSandboxResponse>(
      SKIFF_CRI_RUNTIME(RunPodSandbox), request, "running the sandbox of " + meta.namespace_() + "/" + meta.name(),
      timeout_ + kStopSlack);
}

void CriClient::stop_pod_sandbox(const std::string& id) {
  cri::StopPodSandboxRequest request;
  request.set_pod_sandbox_id(id);
  call<cri::StopPodSandboxRequest, cri::StopPodSandboxResponse>(SKIFF_CRI_RUNTIME(StopPodSandbox), request,
                                                                "stopping sandbox " + id, timeout_ + kStopSlack);
}

void CriClient::remove_pod_sandbox(const std::string& id) {
  cri::RemovePodSandboxRequest request;
  request.set_pod_sandbox_id(id);
  call<cri::RemovePodSandboxRequest, cri::RemovePodSandboxResponse>(SKIFF_CRI_RUNTIME(RemovePodSandbox), request,
                                                                    "removing sandbox " + id, timeout_ + kStopSlack);
}

cri::PodSandboxStatusResponse CriClient::pod_sandbox_status(const std::string& id, bool verbose) {
  cri::PodSandboxStatusRequest request;
  request.set_pod_sandbox_id(id);
  request.set_verbose(verbose);
  return call<cri::PodSandboxStatusRequest, cri::PodSandboxStatusResponse>(SKIFF_CRI_RUNTIME(PodSandboxStatus), request,
                                                                           "sandbox " + id);
}

cri::ListPodSandboxResponse CriClient::list_pod_sandbox(const cri::ListPodSandboxRequest& request) {
  return call<cri::ListPodSandboxRequest, cri::ListPodSandboxResponse>(SKIFF_CRI_RUNTIME(ListPodSandbox), request,
                                                                       "listing sandboxes");
}

cri::CreateContainerResponse CriClient::create_container(const cri::CreateContainerRequest& request) {
  return call<cri::CreateContainerRequest, cri::CreateContainerResponse>(
      SKIFF_CRI_RUNTIME(CreateContainer), request, "creating container " + request.config().metadata().name());
}

void CriClient::start_container(const std::string& id) {
  cri::StartContainerRequest request;
  request.set_container_id(id);
  call<cri::StartContainerRequest, cri::StartContainerResponse>(SKIFF_CRI_RUNTIME(StartContainer), request,
                                                                "starting container " + id, timeout_ + kStopSlack);
}

void CriClient::stop_container(const std::string& id, std::int64_t timeout_seconds) {
  cri::StopContainerRequest request;
  request.set_container_id(id);
  request.set_timeout(timeout_seconds);
  call<cri::StopContainerRequest, cri::StopContainerResponse>(
      SKIFF_CRI_RUNTIME(StopContainer), request, "stopping container " + id,
      timeout_ + kStopSlack + std::chrono::seconds(timeout_seconds));
}

void CriClient::remove_container(const std::string& id) {
  cri::RemoveContainerRequest request;
  request.set_container_id(id);
  call<cri::RemoveContainerRequest, cri::RemoveContainerResponse>(SKIFF_CRI_RUNTIME(RemoveContainer), request,
                                                                  "removing container " + id, timeout_ + kStopSlack);
}

cri::ContainerStatusResponse CriClient::container_status(const std::string& id) {
  cri::ContainerStatusRequest request;
  request.set_container_id(id);
  return call<cri::ContainerStatusRequest, cri::ContainerStatusResponse>(SKIFF_CRI_RUNTIME(ContainerStatus), request,
                                                                         "container " + id);
}

cri::ListContainersResponse CriClient::list_containers(const cri::ListContainersRequest& request) {
  return call<cri::ListContainersRequest, cri::ListContainersResponse>(SKIFF_CRI_RUNTIME(ListContainers), request,
                                                                       "listing containers");
}

cri::ContainerStatsResponse CriClient::container_stats(const std::string& id) {
  cri::ContainerStatsRequest request;
  request.set_container_id(id);
  return call<cri::ContainerStatsRequest, cri::ContainerStatsResponse>(SKIFF_CRI_RUNTIME(ContainerStats), request,
                                                                       "stats of " + id);
}

cri::ListContainerStatsResponse CriClient::list_container_stats() {
  return call<cri::ListContainerStatsRequest, cri::ListContainerStatsResponse>(
      SKIFF_CRI_RUNTIME(ListContainerStats), cri::ListContainerStatsRequest(), "listing container stats");
}

cri::ExecSyncResponse CriClient::exec_sync(const cri::ExecSyncRequest& request) {
  auto limit = request.timeout() > 0 ? timeout_ + std::chrono::seconds(request.timeout()) : std::chrono::milliseconds(24h);
  return call<cri::ExecSyncRequest, cri::ExecSyncResponse>(SKIFF_CRI_RUNTIME(ExecSync), request,
                                                           "exec in " + request.container_id(), limit);
}

cri::ExecResponse CriClient::exec(const cri::ExecRequest& request) {
  return call<cri::ExecRequest, cri::ExecResponse>(SKIFF_CRI_RUNTIME(Exec), request, "exec in " + request.container_id());
}

cri::AttachResponse CriClient::attach(const cri::AttachRequest& request) {
  return call<cri::AttachRequest, cri::AttachResponse>(SKIFF_CRI_RUNTIME(Attach), request,
                                                       "attach to " + request.container_id());
}

cri::ImageStatusResponse CriClient::image_status(const std::string& image) {
  cri::ImageStatusRequest request;
  request.mutable_image()->set_image(image);
  return call<cri::ImageStatusRequest, cri::ImageStatusResponse>(SKIFF_CRI_IMAGES(ImageStatus), request,
                                                                 "image " + image);
}

cri::PullImageResponse CriClient::pull_image(const std::string& image) {
  cri::PullImageRequest request;
  request.mutable_image()->set_image(image);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kPullTimeout);
  cri::PullImageResponse response;
  grpc::Status status = images_->PullImage(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE)
    throw sdk::Error(status_from_cri(status.error_code(), status.error_message(), "pulling " + image, socket_));
  if (!status.ok()) throw sdk::Error(pull_failure(image, status.error_message()));
  return response;
}

cri::ListImagesResponse CriClient::list_images() {
  return call<cri::ListImagesRequest, cri::ListImagesResponse>(SKIFF_CRI_IMAGES(ListImages), cri::ListImagesRequest{},
                                                               "listing images");
}

}  // namespace skiff::containerd
