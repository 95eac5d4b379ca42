// The bus side of the runtime contract: one wildcard subscription per worker and subject
// prefix, dispatched by the op (the subject's last token) to the RuntimeService.
#include "skiff/sdk/runtime/serve_runtime.hpp"

#include <regex>
#include <string_view>
#include <unordered_map>

#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "stream_runner.hpp"

namespace skiff::sdk {

namespace rt = runtime::v1;
using detail::StreamRunner;

namespace {

using Op = void (*)(RuntimeService&, StreamRunner&, const Request&);

template <class Message>
Message parse(const Request& request) {
  Message m;
  if (!m.ParseFromString(request.data()))
    throw Error(Status::BadRequest("request on " + request.message().subject + " is not a valid " +
                                   std::string(Message::descriptor()->full_name())));
  return m;
}

// Ops with nothing to answer but success reply with an empty message of the request's type.
template <class Message>
void acknowledge(const Request& request) {
  request.reply(Message().SerializeAsString());
}

const std::unordered_map<std::string_view, Op>& ops() {
  using S = RuntimeService;
  using Q = const Request&;
  static const std::unordered_map<std::string_view, Op> table = {
      {"version", [](S& s, StreamRunner&, Q q) { q.reply(s.version().SerializeAsString()); }},
      {"status", [](S& s, StreamRunner&, Q q) { q.reply(s.status().SerializeAsString()); }},
      {"update_runtime_config",
       [](S& s, StreamRunner&, Q q) {
         s.update_runtime_config(parse<rt::RuntimeConfigRequest>(q));
         acknowledge<rt::RuntimeConfigRequest>(q);
       }},
      {"image", [](S& s, StreamRunner&, Q q) { q.reply(s.image(parse<rt::ImageRequest>(q)).SerializeAsString()); }},
      {"run_sandbox",
       [](S& s, StreamRunner&, Q q) { q.reply(s.run_sandbox(parse<rt::RunSandboxRequest>(q)).SerializeAsString()); }},
      {"stop_sandbox",
       [](S& s, StreamRunner&, Q q) {
         s.stop_sandbox(parse<rt::SandboxRequest>(q).sandbox_id());
         acknowledge<rt::SandboxRequest>(q);
       }},
      {"remove_sandbox",
       [](S& s, StreamRunner&, Q q) {
         s.remove_sandbox(parse<rt::SandboxRequest>(q).sandbox_id());
         acknowledge<rt::SandboxRequest>(q);
       }},
      {"sandbox_status",
       [](S& s, StreamRunner&, Q q) {
         q.reply(s.sandbox_status(parse<rt::SandboxRequest>(q).sandbox_id()).SerializeAsString());
       }},
      {"list_sandboxes",
       [](S& s, StreamRunner&, Q q) {
         q.reply(s.list_sandboxes(parse<rt::ListSandboxesRequest>(q)).SerializeAsString());
       }},
      {"create_container",
       [](S& s, StreamRunner&, Q q) {
         q.reply(s.create_container(parse<rt::CreateContainerRequest>(q)).SerializeAsString());
       }},
      {"start_container",
       [](S& s, StreamRunner&, Q q) {
         s.start_container(parse<rt::ContainerRequest>(q).container_id());
         acknowledge<rt::ContainerRequest>(q);
       }},
      {"stop_container",
       [](S& s, StreamRunner&, Q q) {
         auto request = parse<rt::ContainerRequest>(q);
         s.stop_container(request.container_id(), request.timeout_seconds());
         acknowledge<rt::ContainerRequest>(q);
       }},
      {"remove_container",
       [](S& s, StreamRunner&, Q q) {
         s.remove_container(parse<rt::ContainerRequest>(q).container_id());
         acknowledge<rt::ContainerRequest>(q);
       }},
      {"container_status",
       [](S& s, StreamRunner&, Q q) {
         q.reply(s.container_status(parse<rt::ContainerRequest>(q).container_id()).SerializeAsString());
       }},
      {"list_containers",
       [](S& s, StreamRunner&, Q q) {
         q.reply(s.list_containers(parse<rt::ListContainersRequest>(q)).SerializeAsString());
       }},
      {"stats", [](S& s, StreamRunner&, Q q) { q.reply(s.stats(parse<rt::StatsRequest>(q).container_id()).SerializeAsString()); }},
      {"sandbox_stats",
       [](S& s, StreamRunner&, Q q) {
         q.reply(s.sandbox_stats(parse<rt::SandboxStatsRequest>(q).sandbox_id()).SerializeAsString());
       }},
      {"list_stats",
       [](S& s, StreamRunner&, Q q) { q.reply(s.list_stats(parse<rt::ListStatsRequest>(q)).SerializeAsString()); }},
      {"logs",
       [](S& s, StreamRunner& streams, Q q) {
         auto request = parse<rt::LogsRequest>(q);
         streams.start(request.stream(), false, s.logs(request), q, rt::LogsRequest().SerializeAsString());
       }},
      {"exec",
       [](S& s, StreamRunner& streams, Q q) {
         auto request = parse<rt::ExecRequest>(q);
         streams.start(request.stream(), request.stdin(), s.exec(request), q, rt::ExecRequest().SerializeAsString());
       }},
      {"attach",
       [](S& s, StreamRunner& streams, Q q) {
         auto request = parse<rt::AttachRequest>(q);
         streams.start(request.stream(), request.stdin(), s.attach(request), q, rt::AttachRequest().SerializeAsString());
       }},
      {"port_forward",
       [](S& s, StreamRunner& streams, Q q) {
         auto request = parse<rt::PortForwardRequest>(q);
         streams.start(request.stream(), true, s.port_forward(request), q, rt::PortForwardRequest().SerializeAsString());
       }},
  };
  return table;
}

void check_handler_name(const std::string& handler) {
  static const std::regex kLabel("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  if (handler.size() > 63 || !std::regex_match(handler, kLabel))
    throw Error(Status::Invalid("config handler: \"" + handler +
                                "\" is not a valid handler name (lowercase letters, digits and '-', at most 63)"));
}

// Two runtimes on one subject would both act on every request: refuse, naming the other one.
void check_subjects_free(Bus& bus, const Subjects& subjects, const RuntimeServeOptions& options) {
  auto taken = [&](const std::string& handler) -> std::string {
    Reply reply = bus.request(subjects.runtime_on(options.node, "version", handler),
                              rt::VersionRequest().SerializeAsString(), std::chrono::milliseconds(500));
    rt::VersionResponse version;
    if (!reply.ok() || !version.ParseFromString(reply.data)) return "";
    return version.runtime_name() + " " + version.runtime_version();
  };
  if (std::string other = taken(options.handler); !other.empty())
    throw Error(Status::Invalid("node " + options.node + ": another runtime (" + other + ") already serves handler \"" +
                                options.handler + "\"; give each runtime plugin its own `handler`"));
  if (!options.serve_default) return;
  if (std::string other = taken(""); !other.empty())
    throw Error(Status::Invalid("node " + options.node + ": another runtime (" + other +
                                ") is already its default runtime; set `default: false` on one of them and reach it "
                                "through a RuntimeClass naming its handler"));
}

}  // namespace

struct RuntimeServer::Impl {
  Impl(Bus& bus, RuntimeService& service) : service(service), streams(bus) {}

  void handle(const Request& request) {
    const std::string& subject = request.message().subject;
    std::string_view op = std::string_view(subject).substr(subject.rfind('.') + 1);
    auto it = ops().find(op);
    if (it == ops().end())
      throw Error(Status::NotFound("no runtime op \"" + std::string(op) + "\" (see skiff/runtime/v1/runtime.proto)"));
    it->second(service, streams, request);
  }

  RuntimeService& service;
  StreamRunner streams;
  std::vector<Subscription> subscriptions;  // cancelled before the streams stop
};

RuntimeServer::RuntimeServer(Bus& bus, const Subjects& subjects, RuntimeService& service, RuntimeServeOptions options)
    : impl_(std::make_unique<Impl>(bus, service)) {
  if (options.node.empty()) throw Error(Status::Invalid("serve_runtime: no node named"));
  if (options.workers < 1) throw Error(Status::Invalid("config workers: must be at least 1"));
  check_handler_name(options.handler);
  if (options.check_clash) check_subjects_free(bus, subjects, options);
  // The node name is one escaped token, so `*` is exactly the op.
  std::vector<std::string> wildcards{subjects.runtime_on(options.node, "*", options.handler)};
  if (options.serve_default) wildcards.push_back(subjects.runtime_on(options.node, "*"));
  Impl* impl = impl_.get();
  for (int i = 0; i < options.workers; ++i)
    for (const auto& subject : wildcards)
      impl_->subscriptions.push_back(bus.serve(subject, "runtime", [impl](Request request) { impl->handle(request); }));
}

RuntimeServer::~RuntimeServer() { stop(); }

void RuntimeServer::stop() {
  impl_->subscriptions.clear();
  impl_->streams.stop_all();
}

std::size_t RuntimeServer::active_streams() const { return impl_->streams.active(); }

std::vector<ConfigKey> runtime_serve_keys(const std::string& default_handler) {
  ConfigKey workers("workers", ConfigType::Int, "4", "runtime requests handled at once (streams run on threads of their own)");
  workers.minimum = "1";
  workers.maximum = "256";
  return {
      {"handler", ConfigType::String, default_handler, "the RuntimeClass handler this runtime answers to"},
      {"default", ConfigType::Bool, "true", "also the node's default runtime (pods without runtimeClassName)"},
      workers,
  };
}

RuntimeServeOptions runtime_serve_options(const Config& config) {
  check_config_rules(runtime_serve_keys(""), config);
  RuntimeServeOptions options;
  options.handler = config.get_string("handler");
  options.serve_default = config.get_bool("default");
  options.workers = static_cast<int>(config.get_int("workers"));
  return options;
}

std::unique_ptr<RuntimeServer> serve_runtime(Context& context, RuntimeService& service, RuntimeServeOptions options) {
  if (options.node.empty()) options.node = context.node().node;
  return std::make_unique<RuntimeServer>(context.bus(), context.subjects(), service, std::move(options));
}

}  // namespace skiff::sdk
