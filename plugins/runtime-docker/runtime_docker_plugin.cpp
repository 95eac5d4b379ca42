// runtime-docker: pods as Docker containers, through the Docker Engine API on its unix
// socket, served as the runtime service (skiff.runtime.v1) of this node.
#include <spdlog/logger.h>

#include "docker_runtime.hpp"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/plugin.hpp"
#include "skiff/sdk/runtime_client.hpp"

namespace skiff::docker {
namespace {

using namespace skiff::sdk;

class RuntimeDockerPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "runtime-docker";
    m.kind = "runtime";
    m.version = "0.1.0";
    m.description = "Pods as Docker containers (Docker Engine API over its unix socket)";
    m.provides = {{"runtime", false}, {"runtime:docker", true}};
    m.config = {
        {"socket", ConfigType::String, "/var/run/docker.sock", "the Docker Engine API's unix socket"},
        {"api_version", ConfigType::String, "v1.41", "the Engine API version to speak (Debian's docker.io 20.10: v1.41)"},
        {"sandbox_image", ConfigType::String, "skiff/pause:1",
         "the image of pod sandboxes (holds the network namespace; `make up` builds it)"},
        {"network_mode", ConfigType::String, "bridge", "the Docker network of pods without hostNetwork"},
        {"timeout", ConfigType::Duration, "30s", "longest wait for one Engine API call"},
        {"workers", ConfigType::Int, "4", "runtime requests handled at once"},
        {"handler", ConfigType::String, "docker", "the RuntimeClass handler this runtime answers to"},
        {"default", ConfigType::Bool, "true", "also the node's default runtime (pods without runtimeClassName)"},
    };
    return m;
  }

  explicit RuntimeDockerPlugin(Context& context) : context_(context) {}

  void start() override {
    const Config& config = context_.config();
    client_ = std::make_unique<DockerClient>(config.get_string("socket"), config.get_string("api_version"),
                                             config.get_duration("timeout"));
    DockerRuntimeOptions options;
    options.sandbox_image = config.get_string("sandbox_image");
    options.network_mode = config.get_string("network_mode");
    runtime_ = std::make_unique<DockerRuntime>(*client_, context_.bus(), options);
    auto version = runtime_->version();  // refuses to start when dockerd is not there
    int workers = static_cast<int>(config.get_int("workers"));
    if (workers < 1) throw Error(Status::Invalid("config workers: must be at least 1"));
    handler_ = config.get_string("handler");
    serve_default_ = config.get_bool("default");
    check_runtime_subjects_free(context_.bus(), context_.subjects(), context_.node().node, handler_, serve_default_);
    for (int i = 0; i < workers; ++i) serve_all();
    context_.log().info("serving the runtime of node {} with docker {} at {} (handler {}{})", context_.node().node,
                        version.runtime_version(), config.get_string("socket"), handler_,
                        serve_default_ ? ", the node's default" : "");
  }

  void stop() override {
    subscriptions_.clear();
    runtime_.reset();
  }

  Health health() override {
    if (!runtime_) return Health::failing("not started");
    auto s = runtime_->status();
    return s.ready() ? Health::ok(s.message()) : Health::failing(s.message());
  }

 private:
  template <class Req, class Fn>
  void serve(const char* op, Fn fn) {
    std::vector<std::string> subjects{context_.subjects().runtime(op, handler_)};
    if (serve_default_) subjects.push_back(context_.subjects().runtime(op));
    for (const auto& subject : subjects)
      subscriptions_.push_back(serve_proto<Req>(context_.bus(), subject, "runtime-docker",
                                                [fn](const Req& r, const Request&) { return fn(r); }));
  }

  void serve_all() {
    namespace rt = runtime::v1;
    DockerRuntime& r = *runtime_;
    serve<rt::VersionRequest>("version", [&r](const auto&) { return r.version(); });
    serve<rt::StatusRequest>("status", [&r](const auto&) { return r.status(); });
    serve<rt::ImageRequest>("image", [&r](const auto& q) { return r.image(q); });
    serve<rt::RunSandboxRequest>("run_sandbox", [&r](const auto& q) { return r.run_sandbox(q); });
    serve<rt::SandboxRequest>("stop_sandbox", [&r](const auto& q) {
      r.stop_sandbox(q.sandbox_id());
      return rt::SandboxRequest();
    });
    serve<rt::SandboxRequest>("remove_sandbox", [&r](const auto& q) {
      r.remove_sandbox(q.sandbox_id());
      return rt::SandboxRequest();
    });
    serve<rt::SandboxRequest>("sandbox_status", [&r](const auto& q) { return r.sandbox_status(q.sandbox_id()); });
    serve<rt::ListSandboxesRequest>("list_sandboxes", [&r](const auto& q) { return r.list_sandboxes(q); });
    serve<rt::CreateContainerRequest>("create_container", [&r](const auto& q) { return r.create_container(q); });
    serve<rt::ContainerRequest>("start_container", [&r](const auto& q) {
      r.start_container(q.container_id());
      return rt::ContainerRequest();
    });
    serve<rt::ContainerRequest>("stop_container", [&r](const auto& q) {
      r.stop_container(q.container_id(), q.timeout_seconds());
      return rt::ContainerRequest();
    });
    serve<rt::ContainerRequest>("remove_container", [&r](const auto& q) {
      r.remove_container(q.container_id());
      return rt::ContainerRequest();
    });
    serve<rt::ContainerRequest>("container_status", [&r](const auto& q) { return r.container_status(q.container_id()); });
    serve<rt::ListContainersRequest>("list_containers", [&r](const auto& q) { return r.list_containers(q); });
    serve<rt::StatsRequest>("stats", [&r](const auto& q) { return r.stats(q.container_id()); });
    serve<rt::LogsRequest>("logs", [&r](const auto& q) {
      r.logs(q);
      return rt::LogsRequest();
    });
    serve<rt::ExecRequest>("exec", [&r](const auto& q) {
      r.exec(q);
      return rt::ExecRequest();
    });
  }

  Context& context_;
  std::unique_ptr<DockerClient> client_;
  std::unique_ptr<DockerRuntime> runtime_;
  std::vector<Subscription> subscriptions_;
  std::string handler_;
  bool serve_default_ = true;
};

}  // namespace
}  // namespace skiff::docker

SKIFF_PLUGIN(skiff::docker::RuntimeDockerPlugin)
