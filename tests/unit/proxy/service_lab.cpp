// Namespaces, veths, addresses and routes of the traffic lab (see service_lab.hpp).
#include "service_lab.hpp"

#include <string>

namespace skiff::test {

namespace {

// A veth from the node into `other`, addressed on both ends, `other` routing by default to the node.
void link(Netns& node, const std::string& name, Netns& other, const std::string& node_address,
          const std::string& other_address) {
  node.shell("ip link add " + name + " type veth peer name eth0 netns " + std::to_string(other.thread_id()) +
             " && ip addr add " + node_address + "/24 dev " + name + " && ip link set " + name + " up");
  other.shell("ip addr add " + other_address + "/24 dev eth0 && ip link set eth0 up && ip route add default via " +
              node_address);
}

}  // namespace

ServiceLab::ServiceLab() {
  // route_localnet: NodePorts answer on 127.0.0.1 as kube-proxy's do (the plugin sets it too).
  node.shell("sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.route_localnet=1");
  link(node, "pa0", pod_a, "10.244.1.1", "10.244.1.2");
  link(node, "pb0", pod_b, "10.244.2.1", "10.244.2.2");
  link(node, "cl0", client, "192.168.77.1", "192.168.77.2");
  // The node's own connections to Services need a route to start from (nat output DNATs them);
  // what is not DNATed goes nowhere: a veth whose other end is idle (ARP never answered). Not
  // via the client: traffic routed back out the link it came in on triggers an ICMP redirect,
  // whose rate limit then swallows the ICMP port unreachable of a refused UDP port.
  node.shell("ip link add sink0 type veth peer name sink1 && ip link set sink0 up && ip link set sink1 up && "
             "ip route add 10.96.0.0/12 dev sink0");
}

Answer ServiceLab::tcp(Netns& from, std::uint32_t ip, std::uint16_t port) {
  Answer answer;
  from.run([&] { answer = ask_tcp(ip, port); });
  return answer;
}

Answer ServiceLab::udp(Netns& from, std::uint32_t ip, std::uint16_t port) {
  Answer answer;
  from.run([&] { answer = ask_udp(ip, port); });
  return answer;
}

}  // namespace skiff::test
