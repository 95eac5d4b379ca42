// pods/portforward over SPDY/3.1 (portforward.k8s.io), as every kubectl speaks it: for each
// connection it accepts locally, kubectl opens an error stream and then a data stream, both
// with headers naming the port and a requestID that pairs them. Each pair becomes one
// port_forward stream through the pod's kubelet and runtime; what the pod sends comes back on
// the data stream, and why it could not connect on the error stream.
#include <atomic>
#include <map>
#include <memory>
#include <thread>

#include <boost/algorithm/string.hpp>

#include "api_error.hpp"
#include "pod_streams.hpp"
#include "skiff/kubelet/v1/kubelet.pb.h"
#include "skiff/sdk/chunk_stream.hpp"
#include "spdy.hpp"

namespace skiff::apiserver {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(250);  // how often a quiet pump checks for the end
constexpr const char* kProtocol = "portforward.k8s.io";

// One of kubectl's connections: its two streams, and the bus stream behind them once both are open.
struct StreamPair {
  std::uint32_t error_id = 0, data_id = 0;
  int port = 0;
  std::unique_ptr<sdk::ChunkStream> stream;
  std::thread pump;
};

int port_of(const std::map<std::string, std::string>& headers) {
  auto it = headers.find("port");
  if (it == headers.end()) return 0;
  try {
    int port = std::stoi(it->second);
    return port > 0 && port <= 65535 ? port : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

void check_upgrade(const HttpRequest& request) {
  std::string upgrade = request.header("Upgrade");
  if (boost::iequals(upgrade, "websocket"))
    // kubectl 1.31 and later try SPDY tunnelled in a WebSocket first and fall back to SPDY on a 400.
    throw ApiError(sdk::Status::BadRequest(
        "port-forward over WebSocket is not served; use SPDY/3.1 with X-Stream-Protocol-Version portforward.k8s.io"));
  if (!boost::istarts_with(upgrade, "SPDY/3.1"))
    throw ApiError(sdk::Status::BadRequest("port-forward needs a connection upgrade to SPDY/3.1 (portforward.k8s.io)"));
  for (const auto& value : request.header_values("X-Stream-Protocol-Version")) {
    std::vector<std::string> offered;
    boost::split(offered, value, boost::is_any_of(","));
    for (const auto& version : offered)
      if (boost::trim_copy(version) == kProtocol) return;
  }
  throw ApiError(sdk::Status::BadRequest("port-forward over SPDY needs X-Stream-Protocol-Version portforward.k8s.io"));
}

}  // namespace

void PodStreams::port_forward(const HttpRequest& request, HttpResponder& response, const api::core::v1::Pod& pod) {
  const std::string& phase = pod.status().phase();
  if (phase == "Succeeded" || phase == "Failed")
    throw ApiError(sdk::Status::BadRequest("cannot forward ports to a completed pod; current phase is " + phase));
  check_upgrade(request);
  if (!response.upgrade({{"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"}, {"X-Stream-Protocol-Version", kProtocol}}))
    return;
  SpdyConnection spdy(response);
  std::atomic<bool> closing{false};
  std::map<std::string, std::shared_ptr<StreamPair>> by_request;
  std::map<std::uint32_t, std::shared_ptr<StreamPair>> by_data_stream;
  std::string where = "pod " + pod.metadata().namespace_() + "/" + pod.metadata().name() + ", uid " + pod.metadata().uid();

  // Both streams are open: ask the kubelet, then relay what the pod sends until it ends.
  auto start = [&](const std::shared_ptr<StreamPair>& pair) {
    auto fail = [&spdy, pair, where](const std::string& why) {
      spdy.data(pair->error_id, "error forwarding port " + std::to_string(pair->port) + " to " + where + ": " + why, true);
      spdy.data(pair->data_id, "", true);
    };
    if (pair->port == 0) return fail("the stream's port header is missing or not a port");
    pair->stream = std::make_unique<sdk::ChunkStream>(bus_, subjects_);
    kubelet::v1::PodPortForwardRequest q;
    q.set_namespace_(pod.metadata().namespace_());
    q.set_pod(pod.metadata().name());
    q.set_port(pair->port);
    q.set_stream(pair->stream->subject());
    try {
      ask_kubelet(pod, "port_forward", q.SerializeAsString());
    } catch (const ApiError& e) {
      return fail(e.status().message);
    }
    pair->pump = std::thread([&spdy, &closing, pair, fail] {
      while (!closing) {
        auto chunk = pair->stream->next(Clock::now() + kPoll);
        if (!chunk) continue;
        if (chunk->done()) {
          if (!chunk->error().empty()) return fail(chunk->error());
          spdy.data(pair->data_id, "", true);
          spdy.data(pair->error_id, "", true);  // kubectl waits for the error stream's end
          return;
        }
        if (!spdy.data(pair->data_id, chunk->data())) return;
      }
    });
  };

  while (auto frame = spdy.read()) {
    if (frame->control && frame->type == SpdyConnection::kSynStream) {
      spdy.syn_reply(frame->stream_id);
      std::string type = frame->headers["streamtype"];
      std::string id = frame->headers.count("requestid") ? frame->headers["requestid"] : frame->headers["port"];
      auto& pair = by_request[id];
      if (!pair) pair = std::make_shared<StreamPair>();
      pair->port = port_of(frame->headers);
      (type == "error" ? pair->error_id : pair->data_id) = frame->stream_id;
      if (type == "data") by_data_stream[frame->stream_id] = pair;
      if (pair->error_id != 0 && pair->data_id != 0 && !pair->stream) start(pair);
    } else if (frame->control && frame->type == SpdyConnection::kPing) {
      spdy.ping(frame->payload);
    } else if (frame->control && frame->type == SpdyConnection::kRstStream) {
      if (auto it = by_data_stream.find(frame->stream_id); it != by_data_stream.end() && it->second->stream)
        it->second->stream->stop();
    } else if (!frame->control) {
      auto it = by_data_stream.find(frame->stream_id);
      if (it == by_data_stream.end() || !it->second->stream) continue;  // the error stream: nothing is read from it
      bool fin = frame->flags & SpdyConnection::kFin;
      if (!frame->payload.empty() || fin) it->second->stream->send_stdin(std::move(frame->payload), fin);
    }
  }
  closing = true;
  for (auto& [id, pair] : by_request) {
    if (pair->stream) pair->stream->stop();
    if (pair->pump.joinable()) pair->pump.join();
  }
}

}  // namespace skiff::apiserver
