#include "sim_node.hpp"

#include <functional>
#include <string_view>
#include <unordered_map>

namespace skiff::sim {

using sdk::Error;
using sdk::Status;

namespace {

using Op = std::function<void(SimRuntime&, SimStreams&, const sdk::Request&)>;

template <class Message>
Message parse(const sdk::Request& request) {
  Message m;
  if (!m.ParseFromString(request.data()))
    throw Error(Status::BadRequest("request on " + request.message().subject + " is not a valid " +
                                   std::string(Message::descriptor()->full_name())));
  return m;
}

// An op answered with what `fn(runtime, request)` returns.
template <class Request, class Fn>
Op answer(Fn fn) {
  return [fn](SimRuntime& r, SimStreams&, const sdk::Request& request) {
    request.reply(fn(r, parse<Request>(request)).SerializeAsString());
  };
}

// An op with nothing to answer but success (the request echoed back, as runtime-docker does).
template <class Request, class Fn>
Op act(Fn fn) {
  return [fn](SimRuntime& r, SimStreams&, const sdk::Request& request) {
    fn(r, parse<Request>(request));
    request.reply(Request().SerializeAsString());
  };
}

const std::unordered_map<std::string_view, Op>& ops() {
  static const std::unordered_map<std::string_view, Op> table = {
      {"version", answer<rt::VersionRequest>([](SimRuntime& r, const auto&) { return r.version(); })},
      {"status", answer<rt::StatusRequest>([](SimRuntime& r, const auto&) { return r.status(); })},
      {"image", answer<rt::ImageRequest>([](SimRuntime& r, const auto& q) { return r.image(q); })},
      {"run_sandbox", answer<rt::RunSandboxRequest>([](SimRuntime& r, const auto& q) { return r.run_sandbox(q); })},
      {"stop_sandbox", act<rt::SandboxRequest>([](SimRuntime& r, const auto& q) { r.stop_sandbox(q.sandbox_id()); })},
      {"remove_sandbox", act<rt::SandboxRequest>([](SimRuntime& r, const auto& q) { r.remove_sandbox(q.sandbox_id()); })},
      {"sandbox_status",
       answer<rt::SandboxRequest>([](SimRuntime& r, const auto& q) { return r.sandbox_status(q.sandbox_id()); })},
      {"list_sandboxes", answer<rt::ListSandboxesRequest>([](SimRuntime& r, const auto& q) { return r.list_sandboxes(q); })},
      {"create_container",
       answer<rt::CreateContainerRequest>([](SimRuntime& r, const auto& q) { return r.create_container(q); })},
      {"start_container",
       act<rt::ContainerRequest>([](SimRuntime& r, const auto& q) { r.start_container(q.container_id()); })},
      {"stop_container", act<rt::ContainerRequest>([](SimRuntime& r, const auto& q) {
         r.stop_container(q.container_id(), q.timeout_seconds());
       })},
      {"remove_container",
       act<rt::ContainerRequest>([](SimRuntime& r, const auto& q) { r.remove_container(q.container_id()); })},
      {"container_status",
       answer<rt::ContainerRequest>([](SimRuntime& r, const auto& q) { return r.container_status(q.container_id()); })},
      {"list_containers",
       answer<rt::ListContainersRequest>([](SimRuntime& r, const auto& q) { return r.list_containers(q); })},
      {"stats", answer<rt::StatsRequest>([](SimRuntime& r, const auto& q) { return r.stats(q.container_id()); })},
      {"logs", [](SimRuntime&, SimStreams& s, const sdk::Request& request) {
         s.logs(parse<rt::LogsRequest>(request), request);
       }},
      {"exec", [](SimRuntime&, SimStreams& s, const sdk::Request& request) {
         s.exec(parse<rt::ExecRequest>(request), request);
       }},
  };
  return table;
}

}  // namespace

// The node name is one escaped token, so the op is always the subject's last token.
SimNode::SimNode(sdk::Bus& bus, const sdk::Subjects& subjects, SimRuntimeOptions options)
    : runtime_(options),
      streams_(bus, runtime_),
      handler_subscription_(bus.serve(subjects.runtime_on(options.node, "*", options.handler), "runtime-sim",
                                      [this](sdk::Request request) { handle(request); })) {
  if (options.serve_default)
    default_subscription_ = bus.serve(subjects.runtime_on(options.node, "*"), "runtime-sim",
                                      [this](sdk::Request request) { handle(request); });
}

void SimNode::handle(const sdk::Request& request) {
  const std::string& subject = request.message().subject;
  std::string_view op = std::string_view(subject).substr(subject.rfind('.') + 1);
  auto it = ops().find(op);
  if (it == ops().end())
    throw Error(Status::NotFound("runtime-sim: no runtime op \"" + std::string(op) + "\" (see skiff/runtime/v1/runtime.proto)"));
  it->second(runtime_, streams_, request);
}

}  // namespace skiff::sim
