// pods/log, pods/exec, pods/attach and pods/portforward: the apiserver asks the kubelet of the pod's node over the bus
// (skiff.<c>.node.<node>.kubelet.logs|exec|port_forward) to stream to a fresh subject, and relays that
// stream to the client — chunked text/plain for logs, WebSocket (v5/v4.channel.k8s.io) or SPDY
// for exec and attach, SPDY, SPDY in WebSocket or WebSocket channels for port-forward. A
// client that leaves stops the stream at its source.
#pragma once

#include <spdlog/logger.h>

#include "exec_channels.hpp"
#include "http_names.hpp"
#include "skiff/sdk/chunk_stream.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/metrics.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::apiserver {

class PodStreams {
 public:
  PodStreams(sdk::Bus& bus, const sdk::Subjects& subjects, sdk::Metrics& metrics, spdlog::logger& log)
      : bus_(bus), subjects_(subjects), metrics_(metrics), log_(log) {}

  // Throw ApiError for anything wrong before the stream starts.
  void logs(const HttpRequest& request, HttpResponder& response, const api::core::v1::Pod& pod);
  void exec(const HttpRequest& request, HttpResponder& response, const api::core::v1::Pod& pod);
  // pods/attach: exec's channels on the container's own stdio.
  void attach(const HttpRequest& request, HttpResponder& response, const api::core::v1::Pod& pod);
  // pods/portforward (port_forward.cpp): SPDY/3.1, SPDY/3.1 tunnelled in WebSocket (kubectl
  // 1.31+) or the kubelet's WebSocket channels; each port's connection piped to the pod.
  void port_forward(const HttpRequest& request, HttpResponder& response, const api::core::v1::Pod& pod);

 private:
  // Asks the pod's kubelet to start a stream; a failure becomes the kubelet's Status.
  void ask_kubelet(const api::core::v1::Pod& pod, const char* op, const std::string& request);
  // Exec's and attach's common part: asks the kubelet (op) to stream to `stream`, answers the
  // upgrade and relays both ways until the stream ends or the client leaves.
  void relay(const HttpRequest& request, HttpResponder& response, const api::core::v1::Pod& pod, const char* op,
             const std::string& kubelet_request, const ExecProtocol& protocol, const ExecStreams& streams,
             sdk::ChunkStream& stream);

  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
  sdk::Metrics& metrics_;
  spdlog::logger& log_;
};

}  // namespace skiff::apiserver
