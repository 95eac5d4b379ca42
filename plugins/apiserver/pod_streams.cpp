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
#include "websocket.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(250);

// WebSocket channels of channel.k8s.io (v5 adds 255: "this stream is closed").
constexpr unsigned char kStdin = 0, kStdout = 1, kStderr = 2, kError = 3, kCloseStream = 255;

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

std::string pick_subprotocol(const HttpRequest& request) {
  std::vector<std::string> offered;
  for (const auto& value : request.header_values("Sec-WebSocket-Protocol")) {
    std::vector<std::string> parts;
    boost::split(parts, value, boost::is_any_of(","));
    for (auto& p : parts) offered.push_back(boost::trim_copy(p));
  }
  for (const char* wanted : {"v5.channel.k8s.io", "v4.channel.k8s.io"})
    for (const auto& p : offered)
      if (p == wanted) return p;
  return "";
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
  if (!boost::iequals(request.header("Upgrade"), "websocket"))
    throw ApiError(sdk::Status::BadRequest(
        "exec needs a WebSocket upgrade (v5.channel.k8s.io or v4.channel.k8s.io); SPDY/3.1, which kubectl "
        "before 1.30 uses, is not served: use a current kubectl"));
  std::string subprotocol = pick_subprotocol(request);
  if (subprotocol.empty())
    throw ApiError(sdk::Status::BadRequest(
        "exec: none of the WebSocket subprotocols offered is served; offer v5.channel.k8s.io or v4.channel.k8s.io"));
  std::string key = request.header("Sec-WebSocket-Key");
  if (key.empty()) throw ApiError(sdk::Status::BadRequest("exec: the WebSocket upgrade has no Sec-WebSocket-Key"));

  kubelet::v1::PodExecRequest q;
  q.set_namespace_(pod.metadata().namespace_());
  q.set_pod(pod.metadata().name());
  q.set_container(container_of(request, pod));
  for (const auto& part : request.query_values("command")) q.add_command(part);
  if (q.command_size() == 0) throw ApiError(sdk::Status::BadRequest("you must specify at least 1 command"));
  bool want_stdout = flag(request, "stdout"), want_stderr = flag(request, "stderr");
  q.set_stdin(flag(request, "stdin"));
  q.set_tty(flag(request, "tty"));

  sdk::ChunkStream stream(bus_, subjects_);
  q.set_stream(stream.subject());
  ask_kubelet(pod, "exec", q.SerializeAsString());
  if (!response.upgrade({{"Upgrade", "websocket"},
                         {"Connection", "Upgrade"},
                         {"Sec-WebSocket-Accept", websocket_accept(key)},
                         {"Sec-WebSocket-Protocol", subprotocol}}))
    return stream.stop();

  WebSocket socket(response);
  // The client's side, on its own thread: stdin, the v5 "stdin closed" signal, its leaving.
  std::atomic<bool> client_gone{false};
  std::promise<void> reader_done;
  std::thread reader([&, stdin = q.stdin()] {
    while (auto message = socket.read()) {
      if (message->empty() || !stdin) continue;
      auto channel = static_cast<unsigned char>((*message)[0]);
      if (channel == kStdin) stream.send_stdin(message->substr(1), false);
      else if (channel == kCloseStream && message->size() >= 2 && (*message)[1] == kStdin) stream.send_stdin("", true);
    }
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
      socket.write(WebSocket::Binary, std::string(1, static_cast<char>(kError)) + exit_status(chunk->exit_code(), chunk->error()));
      finished = true;
      break;
    }
    unsigned char channel = chunk->fd() == 2 && !q.tty() ? kStderr : kStdout;
    if ((channel == kStdout && !want_stdout) || (channel == kStderr && !want_stderr)) continue;
    if (!socket.write(WebSocket::Binary, std::string(1, static_cast<char>(channel)) + chunk->data())) break;
  }
  if (!finished) stream.stop();
  socket.close();
  // A client answers the close; one that does not is cut off.
  if (reader_done.get_future().wait_for(std::chrono::seconds(2)) != std::future_status::ready) response.shutdown_raw();
  reader.join();
}

}  // namespace skiff::apiserver
