// pods/portforward: checks the request, answers the upgrade of the protocol it asks for and
// serves it, each port's connection going through the pod's kubelet and runtime.
#include "api_error.hpp"
#include "pod_streams.hpp"
#include "port_forward.hpp"
#include "skiff/kubelet/v1/kubelet.pb.h"
#include "websocket.hpp"
#include "websocket_tunnel.hpp"

namespace skiff::apiserver {
namespace {

HeaderList upgrade_answer(const HttpRequest& request, const PortForwardProtocol& protocol) {
  if (protocol.kind == PortForwardProtocol::Spdy)
    return {{"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"}, {"X-Stream-Protocol-Version", "portforward.k8s.io"}};
  HeaderList answer = {{"Upgrade", "websocket"},
                       {"Connection", "Upgrade"},
                       {"Sec-WebSocket-Accept", websocket_accept(request.header("Sec-WebSocket-Key"))}};
  if (!protocol.subprotocol.empty()) answer.emplace_back("Sec-WebSocket-Protocol", protocol.subprotocol);
  return answer;
}

// Counts a session by protocol, and as open while it lives (one that outlives its client shows).
class SessionMetrics {
 public:
  SessionMetrics(sdk::Metrics& metrics, const PortForwardProtocol& protocol)
      : open_(metrics.gauge("skiff_apiserver_port_forwards_open", "port-forward sessions open now")) {
    metrics
        .counter("skiff_apiserver_port_forwards_total",
                 "port-forward sessions upgraded, by protocol (spdy: SPDY/3.1; websocket-tunnel: SPDY/3.1 inside WebSocket, "
                 "kubectl 1.31+; websocket: the kubelet's v4.channel.k8s.io channels)",
                 {{"protocol", protocol_label(protocol)}})
        .inc();
    open_.add(1);
  }
  ~SessionMetrics() { open_.add(-1); }
  SessionMetrics(const SessionMetrics&) = delete;
  SessionMetrics& operator=(const SessionMetrics&) = delete;

 private:
  sdk::Gauge& open_;
};

}  // namespace

void PodStreams::port_forward(const HttpRequest& request, HttpResponder& response, const api::core::v1::Pod& pod) {
  const std::string& phase = pod.status().phase();
  if (phase == "Succeeded" || phase == "Failed")
    throw ApiError(sdk::Status::BadRequest("cannot forward ports to a completed pod; current phase is " + phase));
  PortForwardProtocol protocol = choose_port_forward_protocol(request);
  PortForwardTarget target;
  target.pod = "pod " + pod.metadata().namespace_() + "/" + pod.metadata().name() + ", uid " + pod.metadata().uid();
  target.connect = [this, &pod](int port) {
    auto stream = std::make_unique<sdk::ChunkStream>(bus_, subjects_);
    kubelet::v1::PodPortForwardRequest q;
    q.set_namespace_(pod.metadata().namespace_());
    q.set_pod(pod.metadata().name());
    q.set_port(port);
    q.set_stream(stream->subject());
    ask_kubelet(pod, "port_forward", q.SerializeAsString());
    return stream;
  };

  if (!response.upgrade(upgrade_answer(request, protocol))) return;
  SessionMetrics counted(metrics_, protocol);
  log_.debug("port-forward to {} over {}", target.pod, protocol_label(protocol));
  switch (protocol.kind) {
    case PortForwardProtocol::Spdy:
      return serve_spdy_port_forward(response, target);
    case PortForwardProtocol::SpdyInWebSocket: {
      WebSocket socket(response);
      WebSocketTunnel tunnel(socket);
      serve_spdy_port_forward(tunnel, target);
      return socket.close();
    }
    case PortForwardProtocol::WebSocketChannels:
      return serve_channel_port_forward(response, protocol.base64, protocol.ports, target);
  }
}

}  // namespace skiff::apiserver
