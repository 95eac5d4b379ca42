// The cloud-controller-manager and cloud-local on a real cluster (ctest label "cluster"): nodes
// initialised by the provider, LoadBalancer Services given addresses of the LAN's pool that the
// machine reaches with curl (the master answers ARP for them, its proxy DNATs them to pods),
// requested addresses, an exhausted pool, a type change, a master restart, and a worker whose
// machine goes. Traffic stays in the lab's namespaces and bridge (LAN 10.213.11.0/24).
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
const std::string kMaster = kCluster + "-master", kWorker1 = kCluster + "-worker-1", kWorker2 = kCluster + "-worker-2";
const std::string kPool = kLan + ".200-" + kLan + ".205";  // six addresses: small enough to exhaust

// Serves its own pod name over HTTP on 8080.
const std::string kNamedServer = "mkdir -p /tmp/www && hostname > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www";

class Cloud : public test::ClusterFixture {
 protected:
  static void SetUpTestSuite() {
    test::ClusterLabOptions options{kData, kLan, "skiff-lan-l", kCluster};
    options.lb_pool = kPool;
    start_lab(options);
  }
  static void TearDownTestSuite() { stop_lab(); }

  void TearDown() override {
    ClusterFixture::TearDown();
    kubectl({"delete", "service", "-l", "test=cloud", "--wait=true"});
  }

  static void load_balancer(const std::string& name, const std::string& app, int port = 80,
                            const std::string& annotations = "") {
    ok({"apply", "-f", "-"}, "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name +
                                 "\n  labels: {test: cloud}\n  annotations: {" + annotations + "}\nspec:\n"
                                 "  type: LoadBalancer\n  selector: {app: " + app + "}\n"
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
