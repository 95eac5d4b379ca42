#include "pod_streams.hpp"

#include <atomic>
#include <charconv>
#include <future>
#include <limits>
#include <thread>

#include <boost/algorithm/string.hpp>
#include <boost/json.hpp>

#include "api_error.hpp"
#include "skiff/kubelet/v1/kubelet.pb.h"
#include "skiff/sdk/chunk_stream.hpp"
#include "exec_channels.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(250);  // how often a quiet stream checks for its client

// Booleans as Go's strconv.ParseBool reads them (the Python client sends "True").
bool flag(const HttpRequest& request, std::string_view name) {
  std::string value = request.query_value(name);
  return value == "1" || value == "t" || value == "T" || boost::iequals(value, "true");
}

std::int64_t number(const HttpRequest& request, std::string_view name, std::int64_t fallback) {
  if (!request.has_query(name)) return fallback;
  std::string text = request.query_value(name);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    throw ApiError(sdk::Status::BadRequest(std::string(name) + ": " + quoted(text) +
                                           " is not a valid number (a whole number ≥ 0)"));
  return value;
}

// The container a request names, or the pod's only one; Kubernetes' messages otherwise.
std::string container_of(const HttpRequest& request, const api::core::v1::Pod& pod) {
  std::string name = request.query_value("container");
  const auto& spec = pod.spec();
  if (name.empty()) {
    if (spec.containers_size() == 1) return spec.containers(0).name();
    std::string choices;
    for (const auto& c : spec.containers()) choices += (choices.empty() ? "" : " ") + c.name();
    throw ApiError(sdk::Status::BadRequest("a container name must be specified for pod " + pod.metadata().name() +
                                           ", choose one of: [" + choices + "]"));
  }
  for (const auto& c : spec.containers())
    if (c.name() == name) return name;
  for (const auto& c : spec.init_containers())
    if (c.name() == name) return name;
  for (const auto& c : spec.ephemeral_containers())
    if (c.name() == name) return name;
  throw ApiError(sdk::Status::BadRequest("container " + name + " is not valid for pod " + pod.metadata().name()));
}

// The v4+ error channel's last word: Success, or the exit code the way kubectl reads it.
std::string exit_status(int exit_code, const std::string& error) {
  json::object status{{"metadata", json::object{}}};
  if (!error.empty()) {
    status["status"] = "Failure";
    status["message"] = error;
    status["reason"] = "InternalError";
    status["code"] = 500;
  } else if (exit_code == 0) {
    status["status"] = "Success";
  } else {
    status["status"] = "Failure";
    status["message"] = "command terminated with non-zero exit code: error executing command, exit status " +
                        std::to_string(exit_code);
    status["reason"] = "NonZeroExitCode";
    status["details"] = json::object{
        {"causes", json::array{json::object{{"reason", "ExitCode"}, {"message", std::to_string(exit_code)}}}}};
  }
  return json::serialize(status);
}

}  // namespace

void PodStreams::ask_kubelet(const api::core::v1::Pod& pod, const char* op, const std::string& request) {
  const std::string& node = pod.spec().node_name();
  std::string subject = subjects_.kubelet_on(node, op);
  sdk::Reply reply = bus_.request(subject, request, std::chrono::seconds(30));
  if (reply.ok()) return;
  if (reply.status.code == 503)
    throw ApiError(sdk::Status::Unavailable("no kubelet serves node " + quoted(node) + " on the bus (" + subject +
                                            "); is the node's skiffd running with the kubelet plugin?"));
  throw ApiError(reply.status);
}

void PodStreams::logs(const HttpRequest& request, HttpResponder& response, const api::core::v1::Pod& pod) {
  kubelet::v1::PodLogsRequest q;
  q.set_namespace_(pod.metadata().namespace_());
  q.set_pod(pod.metadata().name());
  q.set_container(container_of(request, pod));
  q.set_follow(flag(request, "follow"));
  q.set_previous(flag(request, "previous"));
  q.set_timestamps(flag(request, "timestamps"));
  q.set_tail_lines(number(request, "tailLines", -1));
  q.set_since_seconds(number(request, "sinceSeconds", 0));
  std::int64_t left = number(request, "limitBytes", 0);
  if (left == 0) left = std::numeric_limits<std::int64_t>::max();

  sdk::ChunkStream stream(bus_, subjects_);
  q.set_stream(stream.subject());
  ask_kubelet(pod, "logs", q.SerializeAsString());
  if (!response.begin_stream(200, "text/plain")) return stream.stop();
  while (true) {
    auto chunk = stream.next(Clock::now() + kPoll);
    if (!chunk) {
      if (!response.peer_closed()) continue;
      return stream.stop();
    }
    if (chunk->done()) break;
    std::string_view data = chunk->data();
    if (static_cast<std::int64_t>(data.size()) > left) data = data.substr(0, static_cast<std::size_t>(left));
    if (!response.write_chunk(data)) return stream.stop();
    left -= static_cast<std::int64_t>(data.size());
    if (left <= 0) {
      stream.stop();
      break;
    }
  }
  response.end_stream();
}

void PodStreams::exec(const HttpRequest& request, HttpResponder& response, const api::core::v1::Pod& pod) {
  const std::string& phase = pod.status().phase();
  if (phase == "Succeeded" || phase == "Failed")
    throw ApiError(sdk::Status::BadRequest("cannot exec into a container in a completed pod; current phase is " + phase));
  ExecProtocol protocol = choose_exec_protocol(request);

  kubelet::v1::PodExecRequest q;
  q.set_namespace_(pod.metadata().namespace_());
  q.set_pod(pod.metadata().name());
  q.set_container(container_of(request, pod));
  for (const auto& part : request.query_values("command")) q.add_command(part);
  if (q.command_size() == 0) throw ApiError(sdk::Status::BadRequest("you must specify at least 1 command"));
  ExecStreams streams{flag(request, "stdin"), flag(request, "stdout"), flag(request, "stderr"), flag(request, "tty")};
  q.set_stdin(streams.stdin);
  q.set_tty(streams.tty);

  sdk::ChunkStream stream(bus_, subjects_);
  q.set_stream(stream.subject());
  relay(request, response, pod, "exec", q.SerializeAsString(), protocol, streams, stream);
}

void PodStreams::attach(const HttpRequest& request, HttpResponder& response, const api::core::v1::Pod& pod) {
  const std::string& phase = pod.status().phase();
  if (phase == "Succeeded" || phase == "Failed")
    throw ApiError(sdk::Status::BadRequest("cannot attach a container in a completed pod; current phase is " + phase));
  ExecProtocol protocol = choose_exec_protocol(request);
  kubelet::v1::PodAttachRequest q;
  q.set_namespace_(pod.metadata().namespace_());
  q.set_pod(pod.metadata().name());
  q.set_container(container_of(request, pod));
  ExecStreams streams{flag(request, "stdin"), flag(request, "stdout"), flag(request, "stderr"), flag(request, "tty")};
  q.set_stdin(streams.stdin);
  q.set_tty(streams.tty);
  sdk::ChunkStream stream(bus_, subjects_);
  q.set_stream(stream.subject());
  relay(request, response, pod, "attach", q.SerializeAsString(), protocol, streams, stream);
}

void PodStreams::relay(const HttpRequest& request, HttpResponder& response, const api::core::v1::Pod& pod, const char* op,
                       const std::string& kubelet_request, const ExecProtocol& protocol, const ExecStreams& streams,
                       sdk::ChunkStream& stream) {
  ask_kubelet(pod, op, kubelet_request);
  auto channels = open_exec_channels(protocol, request, response, streams);
  if (!channels) return stream.stop();

  // The client's side, on its own thread: stdin, its end, the client leaving.
  std::atomic<bool> client_gone{false};
  std::promise<void> reader_done;
  std::thread reader([&] {
    channels->read_client(
        [&](std::string data) {
          if (streams.stdin) stream.send_stdin(std::move(data), false);
        },
        [&] {
          if (streams.stdin) stream.send_stdin("", true);
        },
        [&](std::uint32_t width, std::uint32_t height) {
          if (streams.tty) stream.send_resize(width, height);
        });
    client_gone = true;
    reader_done.set_value();
  });

  bool finished = false;
  while (!finished) {
    auto chunk = stream.next(Clock::now() + kPoll);
    if (!chunk) {
      if (client_gone) break;
      continue;
    }
    if (chunk->done()) {
      if (!chunk->error().empty())
        log_.warn("{} in {}/{}: {}", op, pod.metadata().namespace_(), pod.metadata().name(), chunk->error());
      channels->finish(exit_status(chunk->exit_code(), chunk->error()));
      finished = true;
      break;
    }
    auto channel = chunk->fd() == 2 && !streams.tty ? ExecChannels::Stderr : ExecChannels::Stdout;
    if ((channel == ExecChannels::Stdout && !streams.stdout) || (channel == ExecChannels::Stderr && !streams.stderr)) continue;
    if (!channels->write(channel, chunk->data())) break;
  }
  if (!finished) stream.stop();
  // A client closes its side once it has read the end; one that does not is cut off.
  if (reader_done.get_future().wait_for(std::chrono::seconds(finished ? 5 : 1)) != std::future_status::ready)
    response.shutdown_raw();
  reader.join();
}

}  // namespace skiff::apiserver
