// The proxy's traffic lab, in namespaces of the test's own: a node (where the programmer runs),
// two pods on veths from it with TCP+UDP echo servers on port 8080, and an outside client on a
// third veth whose default route is the node. The node routes the service range to a veth
// that leads nowhere, so what the proxy does not DNAT or refuse is lost (a timeout in tests).
//
//   client 192.168.77.2 ── cl0 192.168.77.1 [node] 10.244.1.1 pa0 ── pod-a 10.244.1.2
//                                                  10.244.2.1 pb0 ── pod-b 10.244.2.2
#pragma once

#include <cstdint>

#include "echo_server.hpp"
#include "net_probe.hpp"
#include "netns.hpp"
#include "proxy_state.hpp"

namespace skiff::test {

struct ServiceLab {
  static constexpr std::uint16_t kPodPort = 8080;
  static constexpr std::uint32_t kPodA = 0x0af40102;        // 10.244.1.2
  static constexpr std::uint32_t kPodB = 0x0af40202;        // 10.244.2.2
  static constexpr std::uint32_t kNodeToPodA = 0x0af40101;  // 10.244.1.1
  static constexpr std::uint32_t kClient = 0xc0a84d02;      // 192.168.77.2
  static constexpr std::uint32_t kNode = 0xc0a84d01;        // 192.168.77.1, the node's address the client sees

  ServiceLab();

  Answer tcp(Netns& from, std::uint32_t ip, std::uint16_t port);
  Answer udp(Netns& from, std::uint32_t ip, std::uint16_t port);

  Netns node;
  Netns pod_a;
  Netns pod_b;
  Netns client;
  EchoServer server_a{pod_a, "pod-a", kPodPort};
  EchoServer server_b{pod_b, "pod-b", kPodPort};
};

inline proxy::Endpoint endpoint_a() { return {ServiceLab::kPodA, ServiceLab::kPodPort}; }
inline proxy::Endpoint endpoint_b() { return {ServiceLab::kPodB, ServiceLab::kPodPort}; }

}  // namespace skiff::test
