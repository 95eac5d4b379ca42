// The cloud-controller-manager and cloud-local on a real cluster (ctest label "cluster"): nodes
// initialised by the provider, LoadBalancer Services given addresses of the LAN's pool that the
// machine reaches with curl (the master answers ARP for them, its proxy DNATs them to pods),
// requested addresses, an exhausted pool, a type change, loadBalancerSourceRanges (a second
// machine on the LAN that the test adds), externalTrafficPolicy Local and its health check node
// port, the master's routes owned by cloud-local, a worker stopped (shut down) and started again,
// a master restart, and a worker whose machine goes. Traffic stays in the lab's namespaces and
// bridge (LAN 10.213.11.0/24) and the namespace the test adds to it.
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <set>
#include <sstream>

#include "cluster_fixture.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

const std::string kData = SKIFF_TEST_CLUSTER_DIR;
const std::string kLan = "10.213.11";
const std::string kCluster = "skl";
const std::string kBridge = "skiff-lan-l";
const std::string kMaster = kCluster + "-master", kWorker1 = kCluster + "-worker-1", kWorker2 = kCluster + "-worker-2";
const std::string kPool = kLan + ".200-" + kLan + ".205";  // six addresses: small enough to exhaust

// Serves its own pod name over HTTP on 8080.
const std::string kNamedServer = "mkdir -p /tmp/www && hostname > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www";

class Cloud : public test::ClusterFixture {
 protected:
  static void SetUpTestSuite() {
    test::ClusterLabOptions options{kData, kLan, kBridge, kCluster};
    options.lb_pool = kPool;
    options.cloud_routes = true;  // cloud-local owns the master's host-gw routes
    start_lab(options);
  }
  static void TearDownTestSuite() { stop_lab(); }

  void TearDown() override {
    ClusterFixture::TearDown();
    kubectl({"delete", "service", "-l", "test=cloud", "--wait=true"});
  }

  // `spec_lines`: more of its spec, as YAML lines indented by 2.
  static void load_balancer(const std::string& name, const std::string& app, int port = 80,
                            const std::string& annotations = "", const std::string& spec_lines = "") {
    ok({"apply", "-f", "-"}, "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name +
                                 "\n  labels: {test: cloud}\n  annotations: {" + annotations + "}\nspec:\n"
                                 "  type: LoadBalancer\n  selector: {app: " + app + "}\n" + spec_lines +
                                 "  ports:\n  - {name: http, port: " + std::to_string(port) +
                                 ", targetPort: 8080, protocol: TCP}\n");
  }

  // The Service's ingress IP once written; "" when none comes within `timeout`.
  static std::string ingress(const std::string& service, std::chrono::milliseconds timeout = 20s) {
    std::string ip;
    test::wait_until([&] {
      ip = kubectl({"get", "service", service, "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"}).out;
      return !ip.empty();
    }, timeout, 100ms);
    return ip;
  }

  // curl from the machine, on the LAN; what the server answered ("" when nothing did).
  static std::string curl(const std::string& ip, int port = 80) {
    return test::run_command({"curl", "-s", "--max-time", "2", "http://" + ip + ":" + std::to_string(port) + "/"}).out;
  }
  static bool answers(const std::string& ip, const std::string& expected, int port = 80) {
    return test::wait_until([&] { return curl(ip, port).find(expected) != std::string::npos; }, 30s, 200ms);
  }

  static bool has_event(const std::string& service, const std::string& reason) {
    return test::wait_until([&] {
      return kubectl({"get", "events", "--field-selector", "involvedObject.name=" + service + ",reason=" + reason,
                      "-o", "name"})
                 .out.size() > 0;
    }, 20s, 200ms);
  }

  static void servers() {
    static bool made = false;
    if (made) return;
    create_pod("web-1", kWorker1, container("main", kNamedServer), "test: cloud, app: web");
    create_pod("web-2", kWorker2, container("main", kNamedServer), "test: cloud, app: web");
    running("web-1");
    running("web-2");
    made = true;
  }
};

// Another machine on the LAN, outside the cluster: a namespace of the test's own on the lab's
// bridge, with its own LAN address; gone with the object.
class Outsider {
 public:
  explicit Outsider(const std::string& ip)
      : netns_("cloud-outsider-" + std::to_string(::getpid())), host_end_("clo" + std::to_string(::getpid() % 100000)) {
    run({"ip", "netns", "add", netns_});
    run({"ip", "link", "add", host_end_, "type", "veth", "peer", "name", "eth0", "netns", netns_});
    run({"ip", "link", "set", host_end_, "master", kBridge, "up"});
    run({"ip", "-n", netns_, "addr", "add", ip + "/24", "dev", "eth0"});
    run({"ip", "-n", netns_, "link", "set", "eth0", "up"});
    run({"ip", "-n", netns_, "link", "set", "lo", "up"});
  }
  ~Outsider() {
    test::run_command({"ip", "link", "delete", host_end_});
    test::run_command({"ip", "netns", "delete", netns_});
  }
  Outsider(const Outsider&) = delete;
  Outsider& operator=(const Outsider&) = delete;

  // What http://ip:port/ answered it ("" when nothing did within 2 s).
  std::string curl(const std::string& ip, int port = 80) const {
    return test::run_command({"ip", "netns", "exec", netns_, "curl", "-s", "--max-time", "2",
                              "http://" + ip + ":" + std::to_string(port) + "/"}).out;
  }

 private:
  static void run(const std::vector<std::string>& argv) {
    auto result = test::run_command(argv);
    if (result.exit_code != 0) throw std::runtime_error(argv[0] + " " + argv[1] + ": " + result.both());
  }
  std::string netns_, host_end_;
};

bool in_pool(const std::string& ip) {
  auto last = std::stoi(ip.substr(ip.rfind('.') + 1));
  return ip.rfind(kLan + ".", 0) == 0 && last >= 200 && last <= 205;
}

TEST_F(Cloud, EveryNodeIsInitialisedByTheProvider) {
  for (const auto& node : {kMaster, kWorker1, kWorker2}) {
    EXPECT_EQ(jsonpath("node/" + node, "{.spec.providerID}"), "local://" + node);
    EXPECT_EQ(jsonpath("node/" + node, "{.metadata.labels.topology\\.kubernetes\\.io/zone}"), "local");
    EXPECT_EQ(jsonpath("node/" + node, "{.metadata.labels.node\\.kubernetes\\.io/instance-type}"), "local");
    EXPECT_EQ(jsonpath("node/" + node, "{.spec.taints[*].key}").find("uninitialized"), std::string::npos) << node;
    // The cloud-node controller acts only on nodes registered with the uninitialized taint.
    EXPECT_NE(ok({"get", "events", "-A", "--field-selector", "involvedObject.name=" + node + ",reason=Synced"}), "")
        << node << " was never initialised: did its kubelet register with the taint?";
  }
}

TEST_F(Cloud, ALoadBalancerGetsAPoolAddressThatTheLanReaches) {
  servers();
  load_balancer("web", "web");
  std::string ip = ingress("web");
  ASSERT_TRUE(in_pool(ip)) << ip;
  EXPECT_TRUE(answers(ip, "web-")) << "curl http://" << ip << "/ from the machine: " << curl(ip);
}

TEST_F(Cloud, TwoServicesOnOnePortGetTwoAddresses) {
  servers();
  load_balancer("one", "web");
  load_balancer("two", "web");
  std::string one = ingress("one"), two = ingress("two");
  ASSERT_TRUE(in_pool(one)) << one;
  ASSERT_TRUE(in_pool(two)) << two;
  EXPECT_NE(one, two);
  EXPECT_TRUE(answers(one, "web-"));
  EXPECT_TRUE(answers(two, "web-"));
}

TEST_F(Cloud, ARequestedAddressIsHonouredOrRefusedWhenTaken) {
  load_balancer("asks", "web", 80, "skiff.io/load-balancer-ip: " + kLan + ".204");
  EXPECT_EQ(ingress("asks"), kLan + ".204");
  load_balancer("asks-too", "web", 81, "skiff.io/load-balancer-ip: " + kLan + ".204");
  EXPECT_TRUE(has_event("asks-too", "LoadBalancerIPTaken"));
  EXPECT_EQ(jsonpath("service/asks-too", "{.status.loadBalancer.ingress}"), "");
}

TEST_F(Cloud, AnExhaustedPoolLeavesTheServicePendingWithAnEvent) {
  for (int i = 0; i < 6; ++i) load_balancer("fill-" + std::to_string(i), "web");
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(in_pool(ingress("fill-" + std::to_string(i)))) << i;
  load_balancer("one-too-many", "web");
  EXPECT_TRUE(has_event("one-too-many", "PoolExhausted"));
  EXPECT_EQ(jsonpath("service/one-too-many", "{.status.loadBalancer.ingress}"), "");
  EXPECT_NE(ok({"get", "service", "one-too-many"}).find("<pending>"), std::string::npos);
}

TEST_F(Cloud, ChangingTheTypeToClusterIpReleasesTheAddress) {
  servers();
  load_balancer("web", "web");
  std::string ip = ingress("web");
  ASSERT_TRUE(answers(ip, "web-"));
  ok({"patch", "service", "web", "-p", R"({"spec":{"type":"ClusterIP"}})"});
  EXPECT_TRUE(test::wait_until([&] { return jsonpath("service/web", "{.status.loadBalancer.ingress}").empty(); }, 20s));
  EXPECT_EQ(jsonpath("service/web", "{.spec.ports[0].nodePort}"), "") << "node ports go with the type";
  EXPECT_TRUE(test::wait_until([&] { return curl(ip).empty(); }, 20s)) << "the address no longer answers";
  load_balancer("after", "web", 80, "skiff.io/load-balancer-ip: " + ip);
  EXPECT_EQ(ingress("after"), ip) << "the address is free again";
}

// loadBalancerSourceRanges, enforced by the proxy where the address lands (the master): the
// machine (10.213.11.1) inside the ranges is served, the outsider (.100) is not — until the
// ranges change; no ranges: everyone.
TEST_F(Cloud, SourceRangesLetOnlyTheirSourcesReachTheAddress) {
  servers();
  Outsider outsider(kLan + ".100");
  load_balancer("open", "web");
  load_balancer("guarded", "web", 81, "", "  loadBalancerSourceRanges: [" + kLan + ".1/32]\n");
  std::string open = ingress("open"), guarded = ingress("guarded");
  ASSERT_TRUE(in_pool(open)) << open;
  ASSERT_TRUE(in_pool(guarded)) << guarded;
  EXPECT_TRUE(test::wait_until([&] { return outsider.curl(open).find("web-") != std::string::npos; }, 30s, 200ms))
      << "the outsider reaches a load balancer without ranges";
  EXPECT_TRUE(answers(guarded, "web-", 81)) << "the machine is inside the ranges";
  EXPECT_EQ(outsider.curl(guarded, 81), "") << "the outsider is not";

  ok({"patch", "service", "guarded", "-p", R"({"spec":{"loadBalancerSourceRanges":[")" + kLan + R"(.100/32"]}})"});
  EXPECT_TRUE(test::wait_until([&] { return outsider.curl(guarded, 81).find("web-") != std::string::npos; }, 30s, 200ms))
      << "changed ranges take effect: the outsider is in";
  EXPECT_TRUE(test::wait_until([&] { return curl(guarded, 81).empty(); }, 30s, 200ms)) << "and the machine is out";

  ok({"patch", "service", "guarded", "-p", R"({"spec":{"loadBalancerSourceRanges":null}})"});
  EXPECT_TRUE(answers(guarded, "web-", 81)) << "no ranges: every source";
  EXPECT_NE(outsider.curl(guarded, 81).find("web-"), std::string::npos);
}

// externalTrafficPolicy Local on a LoadBalancer: its healthCheckNodePort answers on every node
// with the node's own endpoint count (200 / 503, as kube-proxy's), and the address (which lands
// on the master) is served only by the master's own endpoint, once it has one.
TEST_F(Cloud, LocalPolicyServesFromLocalEndpointsAndTheHealthCheckCountsThem) {
  servers();  // web-1 on worker-1, web-2 on worker-2, none on the master
  load_balancer("local", "web", 82, "", "  externalTrafficPolicy: Local\n");
  std::string ip = ingress("local");
  ASSERT_TRUE(in_pool(ip)) << ip;
  std::string port = jsonpath("service/local", "{.spec.healthCheckNodePort}");
  ASSERT_FALSE(port.empty()) << "a Local LoadBalancer gets a health check node port";
  auto health = [&](int node) {
    return test::run_command({"curl", "-s", "--max-time", "2", "-w", " %{http_code}",
                              "http://" + lab->node_ip(node) + ":" + port + "/"}).out;
  };
  EXPECT_TRUE(test::wait_until([&] {
    auto answer = health(1);
    return answer.find(R"("localEndpoints":1)") != std::string::npos && answer.ends_with(" 200");
  }, 30s, 200ms)) << health(1);
  EXPECT_TRUE(test::wait_until([&] {
    auto answer = health(0);
    return answer.find(R"("localEndpoints":0)") != std::string::npos && answer.ends_with(" 503");
  }, 30s, 200ms)) << health(0);
  EXPECT_EQ(curl(ip, 82), "") << "the master has no endpoint of its own: outside traffic is not sent elsewhere";

  ok({"apply", "-f", "-"},
     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-m\n  labels: {test: cloud, app: web}\nspec:\n"
     "  nodeSelector: {kubernetes.io/hostname: " + kMaster + "}\n"
     "  tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}]\n"
     "  terminationGracePeriodSeconds: 1\n"
     "  volumes: [{name: tools, hostPath: {path: " + data + "/tools}}]\n"
     "  containers:\n" + container("main", kNamedServer));
  running("web-m");
  EXPECT_TRUE(test::wait_until([&] { return health(0).ends_with(" 200"); }, 30s, 200ms)) << health(0);
  EXPECT_TRUE(answers(ip, "web-m", 82));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(curl(ip, 82), "web-m\n") << "only the master's own endpoint serves";
  kubectl({"delete", "pod", "web-m", "--wait=false"});
}

// With CLOUD_ROUTES=1 cloud-local owns the master's host-gw routes (proto 75; its network plugin
// installs none) and the workers' network plugins theirs: every node's pod subnet is routed on
// every other node, and the master reaches a pod on each worker through its cloud route.
TEST_F(Cloud, EveryPodSubnetIsRoutedOnTheOtherNodesTheMastersByCloudLocal) {
  servers();
  auto cidrs = pod_cidrs();
  std::vector<std::string> nodes{kMaster, kWorker1, kWorker2};
  for (const auto& node : nodes) ASSERT_FALSE(cidrs[node].empty()) << node;
  auto route_to = [&](int node) { return cidrs[nodes[node]] + " via " + lab->node_ip(node); };
  EXPECT_TRUE(test::wait_until([&] {
    auto routes = in_netns(kMaster, {"ip", "route", "show", "proto", "75"});
    return routes.find(route_to(1)) != std::string::npos && routes.find(route_to(2)) != std::string::npos;
  }, 60s, 500ms)) << in_netns(kMaster, {"ip", "route", "show"});
  EXPECT_EQ(in_netns(kMaster, {"ip", "route", "show", "proto", "75"}).find(cidrs[kMaster]), std::string::npos)
      << "the master's own subnet is on its bridge";
  EXPECT_EQ(in_netns(kMaster, {"ip", "route", "show", "proto", "73"}).find(" via "), std::string::npos)
      << "the master's network plugin left its host-gw routes to cloud-local (its unreachable service route stays)";
  for (int node = 1; node <= 2; ++node) {
    auto routes = in_netns(nodes[node], {"ip", "route", "show", "proto", "73"});
    for (int other = 0; other <= 2; ++other)
      if (other != node) EXPECT_NE(routes.find(route_to(other)), std::string::npos) << nodes[node] << ": " << routes;
  }
  for (const auto& pod : {"web-1", "web-2"}) {
    std::string ip = jsonpath(std::string("pod/") + pod, "{.status.podIP}");
    EXPECT_TRUE(test::wait_until([&] {
      return in_netns(kMaster, {"curl", "-s", "--max-time", "2", "http://" + ip + ":8080/"}).find(pod) != std::string::npos;
    }, 30s, 500ms)) << "the master reaches " << pod << " at " << ip;
  }
}

// A worker shut down (its skiffd stopped cleanly: it announces so): NotReady, then tainted
// shut down by the cloud node lifecycle controller and kept (not deleted as a gone machine
// would be after instance_gone_after, 15 s here); started again, the taint goes.
TEST_F(Cloud, AStoppedWorkerIsTaintedShutDownUntilItStartsAgain) {
  const std::string shutdown_effect =
      "{.spec.taints[?(@.key==\"node.cloudprovider.kubernetes.io/shutdown\")].effect}";
  auto stopped = lab->script({"stop", kWorker1});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.both();
  EXPECT_TRUE(test::wait_until([&] { return jsonpath("node/" + kWorker1, shutdown_effect) == "NoSchedule"; }, 150s, 500ms))
      << ok({"describe", "node", kWorker1});
  EXPECT_FALSE(test::wait_until([&] { return kubectl({"get", "node", kWorker1}).exit_code != 0; }, 25s, 500ms))
      << "a machine shut down is kept";
  auto started = lab->script({"start", kWorker1});
  ASSERT_EQ(started.exit_code, 0) << started.both();
  EXPECT_TRUE(test::wait_until([&] { return jsonpath("node/" + kWorker1, shutdown_effect).empty(); }, 120s, 500ms))
      << ok({"describe", "node", kWorker1});
  EXPECT_TRUE(test::wait_until([&] {
    return jsonpath("node/" + kWorker1, "{.status.conditions[?(@.type==\"Ready\")].status}") == "True";
  }, 120s, 500ms));
}

// The cluster loses a worker for good.
TEST_F(Cloud, AWorkerWhoseMachineIsGoneIsDeletedAndItsPodsReplaced) {
  ok({"apply", "-f", "-"},
     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: spread, labels: {test: cloud}}\nspec:\n  replicas: 2\n"
     "  selector: {matchLabels: {app: spread}}\n  template:\n    metadata: {labels: {app: spread}}\n    spec:\n"
     "      terminationGracePeriodSeconds: 1\n"
     "      containers: [{name: main, image: skiff/busybox:1, imagePullPolicy: IfNotPresent, command: [sleep, '3600']}]\n");
  // "node/phase" of each of its pods.
  auto placed = [&] {
    std::istringstream words(
        jsonpath("pods", "{range .items[?(@.metadata.labels.app==\"spread\")]}{.spec.nodeName}/{.status.phase} {end}"));
    return std::vector<std::string>(std::istream_iterator<std::string>(words), std::istream_iterator<std::string>());
  };
  auto all_running_off = [&](const std::string& node) {
    auto pods = placed();
    return pods.size() == 2 && std::all_of(pods.begin(), pods.end(), [&](const std::string& p) {
             return p.rfind(node + "/", 0) != 0 && p.size() > 8 && p.substr(p.size() - 8) == "/Running";
           });
  };
  ASSERT_TRUE(test::wait_until([&] { return all_running_off("none"); }, 90s, 500ms))
      << ok({"describe", "pods", "-l", "app=spread"}) << ok({"describe", "nodes"});
  auto result = lab->script({"remove", kWorker2});
  ASSERT_EQ(result.exit_code, 0) << result.both();
  EXPECT_TRUE(test::wait_until([&] { return kubectl({"get", "node", kWorker2}).exit_code != 0; }, 120s, 500ms))
      << "the Node of a machine that is gone is deleted";
  EXPECT_TRUE(test::wait_until([&] { return all_running_off(kWorker2); }, 120s, 500ms))
      << ok({"get", "pods", "-o", "wide"});
  kubectl({"delete", "deployment", "spread"});
}

// Last (it restarts the control plane): no address changes hands, and the workers get back
// onto the master's embedded bus, whose token outlives the restart.
TEST_F(Cloud, RestartingTheMasterGivesNoAddressToAnotherService) {
  load_balancer("kept-1", "web");
  load_balancer("kept-2", "web");
  std::string one = ingress("kept-1"), two = ingress("kept-2");
  ASSERT_TRUE(in_pool(one));
  ASSERT_TRUE(in_pool(two));
  auto restarted = lab->script({"restart", kMaster});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.both();
  load_balancer("new", "web");
  std::string fresh = ingress("new", 60s);
  ASSERT_TRUE(in_pool(fresh)) << fresh;
  EXPECT_NE(fresh, one);
  EXPECT_NE(fresh, two);
  EXPECT_EQ(ingress("kept-1"), one);
  EXPECT_EQ(ingress("kept-2"), two);
  ok({"run", "after-restart", "--image=skiff/busybox:1", "--image-pull-policy=IfNotPresent", "--restart=Never",
      "--overrides={\"spec\":{\"nodeName\":\"" + kWorker1 + "\"}}", "--", "sleep", "3600"});
  EXPECT_TRUE(test::wait_until([&] { return jsonpath("pod/after-restart", "{.status.phase}") == "Running"; }, 60s, 500ms))
      << "a worker's kubelet is back on the restarted master's bus\n" << ok({"describe", "pod", "after-restart"});
}

}  // namespace
