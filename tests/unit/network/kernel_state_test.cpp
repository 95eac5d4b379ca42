// Routes through rtnetlink and rules through libnftables, for real, in a network namespace of
// the test's own (gone with it): what is added is found again, only Skiff's is touched.
#include <gtest/gtest.h>

#include <cstdlib>

#include "command.hpp"
#include "pod_nat.hpp"
#include "private_netns.hpp"
#include "route_table.hpp"
#include "skiff/sdk/status.hpp"

namespace {

using namespace skiff;

void shell(const std::string& command) {
  auto result = test::run_command({"sh", "-c", command});
  ASSERT_EQ(result.exit_code, 0) << command << ": " << result.both();
}

std::string output(const std::string& command) { return test::run_command({"sh", "-c", command}).both(); }

// A link to route over: a veth pair, one end addressed on a /24 the test owns.
void add_link() {
  shell("ip link add skt0 type veth peer name skt1 && ip addr add 10.213.9.1/24 dev skt0 && "
        "ip link set skt0 up && ip link set skt1 up");
}

TEST(NetworkKernelState, RoutesAreReplacedListedAndRemovedOnlyIfOurs) {
  test::in_private_netns([] {
    add_link();
    shell("ip route add 10.250.0.0/24 via 10.213.9.3 proto static");  // someone else's
    network::RouteTable routes;
    auto subnet = *sdk::Ipv4Cidr::parse("10.244.7.0/24");
    routes.replace(subnet, *sdk::parse_ipv4("10.213.9.2"));
    EXPECT_EQ(routes.ours(), (std::map<std::string, std::uint32_t>{{"10.244.7.0/24", *sdk::parse_ipv4("10.213.9.2")}}));
    EXPECT_NE(output("ip route show proto 73").find("10.244.7.0/24 via 10.213.9.2"), std::string::npos)
        << output("ip route");
    routes.replace(subnet, *sdk::parse_ipv4("10.213.9.4"));  // the node moved
    EXPECT_EQ(routes.ours().at("10.244.7.0/24"), *sdk::parse_ipv4("10.213.9.4"));
    routes.remove(subnet);
    routes.remove(subnet);  // already gone: no error
    EXPECT_TRUE(routes.ours().empty());
    EXPECT_NE(output("ip route").find("10.250.0.0/24 via 10.213.9.3"), std::string::npos) << "not ours: kept";
    try {
      routes.replace(*sdk::Ipv4Cidr::parse("10.244.8.0/24"), *sdk::parse_ipv4("192.0.2.1"));  // not on a link
      ADD_FAILURE() << "a route via an unreachable gateway was taken";
    } catch (const sdk::Error& e) {
      EXPECT_NE(e.status().message.find("route to 10.244.8.0/24 via 192.0.2.1"), std::string::npos) << e.status().message;
    }
  });
}

// The service CIDR: refused on the node at once while only the network plugin's route is
// there; the proxy's route through lo (a lower metric) wins while it is there.
TEST(NetworkKernelState, ServiceCidrIsUnreachableUnlessTheProxyRoutesIt) {
  test::in_private_netns([] {
    add_link();
    shell("ip route add default via 10.213.9.2");  // what a ClusterIP would follow without the route
    auto services = *sdk::Ipv4Cidr::parse("10.96.0.0/12");
    network::RouteTable network_routes;
    network_routes.replace_unreachable(services, network::kServiceRejectMetric);
    network_routes.replace_unreachable(services, network::kServiceRejectMetric);  // again: one route
    EXPECT_NE(output("ip route get 10.96.0.10").find("No route to host"), std::string::npos) << output("ip route");
    std::string connect = output("busybox nc -w 2 10.96.0.10 80 </dev/null");
    EXPECT_NE(connect.find("No route to host"), std::string::npos) << connect;

    shell("ip link set lo up");
    network::RouteTable proxy_routes(network::kProxyRouteProtocol);
    proxy_routes.replace_on_device(services, "lo", network::kServiceProxyMetric);
    std::string via_proxy = output("ip route get 10.96.0.10");
    EXPECT_NE(via_proxy.find("dev lo src 10.213.9.1"), std::string::npos) << via_proxy << output("ip route");
    EXPECT_TRUE(proxy_routes.ours().empty()) << "not a gateway route";
    proxy_routes.remove_with_metric(services, network::kServiceProxyMetric);
    proxy_routes.remove_with_metric(services, network::kServiceRejectMetric);  // the network plugin's: not ours
    EXPECT_NE(output("ip route get 10.96.0.10").find("No route to host"), std::string::npos) << output("ip route");
  });
}

TEST(NetworkKernelState, MasqueradeTableIsReplacedWhole) {
  test::in_private_netns([] {
    network::PodNat nat;
    auto pods = *sdk::Ipv4Cidr::parse("10.244.3.0/24");
    auto cluster = *sdk::Ipv4Cidr::parse("10.244.0.0/16");
    nat.apply(pods, cluster);
    nat.apply(pods, cluster);  // again: still one rule
    std::string table = nat.table();
    EXPECT_NE(table.find("ip saddr 10.244.3.0/24 ip daddr != 10.244.0.0/16 masquerade"), std::string::npos) << table;
    EXPECT_EQ(table.find("masquerade"), table.rfind("masquerade")) << table;
    nat.remove();
    EXPECT_EQ(nat.table(), "");
  });
}

// Where Docker set FORWARD to DROP, the cluster CIDR is accepted in its DOCKER-USER chain —
// once, however often applied, and gone on remove; Docker's own rules stay.
TEST(NetworkKernelState, DockerUserGetsAcceptsForTheClusterCidr) {
  test::in_private_netns([] {
    shell("iptables -N DOCKER-USER && iptables -A DOCKER-USER -j RETURN && iptables -P FORWARD DROP");
    network::PodNat nat;
    auto cluster = *sdk::Ipv4Cidr::parse("10.244.0.0/16");
    nat.apply(*sdk::Ipv4Cidr::parse("10.244.3.0/24"), cluster);
    nat.apply(*sdk::Ipv4Cidr::parse("10.244.3.0/24"), cluster);
    std::string rules = output("iptables -S DOCKER-USER");
    EXPECT_NE(rules.find("-s 10.244.0.0/16"), std::string::npos) << rules;
    EXPECT_NE(rules.find("-d 10.244.0.0/16"), std::string::npos) << rules;
    EXPECT_EQ(rules.find("-s 10.244.0.0/16"), rules.rfind("-s 10.244.0.0/16")) << "applied twice, added once: " << rules;
    nat.remove();
    rules = output("iptables -S DOCKER-USER");
    EXPECT_EQ(rules.find("10.244.0.0/16"), std::string::npos) << rules;
    EXPECT_NE(rules.find("-j RETURN"), std::string::npos) << "Docker's rule stays: " << rules;
  });
}

}  // namespace
