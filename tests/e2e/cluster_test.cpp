// `make cluster`'s promises on one cluster for the whole suite (ctest label "cluster"): a
// master and two workers, each skiffd in its own network namespace, pods on CNI with host-gw
// routes — real kernel networking, the real dockerd, the machine's kubectl. Traffic stays in
// the namespaces and bridges the cluster script makes (LAN 10.213.7.0/24, pods 10.244.0.0/16).
// Built twice: ClusterE2E on Docker, ClusterContainerdE2E with each node on a containerd of its
// own (SKIFF_TEST_CLUSTER_RUNTIME, on LAN 10.213.8.0/24).
#include <atomic>
#include <set>
#include <sstream>
#include <thread>

#include "cluster_fixture.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

#ifndef SKIFF_TEST_CLUSTER_RUNTIME
#define SKIFF_TEST_CLUSTER_RUNTIME "docker"
#endif
const std::string kRuntime = SKIFF_TEST_CLUSTER_RUNTIME;
const std::string kData = SKIFF_TEST_CLUSTER_DIR;
const std::string kLan = kRuntime == "docker" ? "10.213.7" : "10.213.8";
const std::string kCluster = kRuntime == "docker" ? "skt" : "skc";
const std::string kMaster = kCluster + "-master", kWorker1 = kCluster + "-worker-1", kWorker2 = kCluster + "-worker-2";

class Cluster : public test::ClusterFixture {
 protected:
  static void SetUpTestSuite() {
    test::ClusterLabOptions options{kData, kLan, "skiff-lan-" + kCluster, kCluster};
    options.runtime = kRuntime;
    start_lab(options);
  }
  static void TearDownTestSuite() { stop_lab(); }
};

constexpr const char* kHttpd = "httpd -f -p 8080 -h /www";
constexpr const char* kSleep = "sleep 3600";

// A pod spec's containers placed deeper, inside a workload's pod template.
std::string indented(const std::string& yaml, const std::string& prefix) {
  std::string out;
  std::istringstream lines(yaml);
  for (std::string line; std::getline(lines, line);) out += prefix + line + "\n";
  return out;
}

TEST_F(Cluster, EachNodeHasADistinctPodCidrAndTheMasterIsTainted) {
  auto cidrs = pod_cidrs();
  ASSERT_EQ(cidrs.size(), 3u) << ok({"get", "nodes", "-o", "wide"});
  std::set<std::string> distinct;
  auto cluster = *sdk::Ipv4Cidr::parse("10.244.0.0/16");
  for (const auto& [node, cidr] : cidrs) {
    auto block = sdk::Ipv4Cidr::parse(cidr);
    EXPECT_TRUE(block && cluster.contains(*block)) << node << ": " << cidr;
    distinct.insert(cidr);
  }
  EXPECT_EQ(distinct.size(), 3u);
  EXPECT_NE(jsonpath("node/" + kMaster, "{.spec.taints}").find("node-role.kubernetes.io/control-plane"), std::string::npos);
  for (const auto& node : {kMaster, kWorker1, kWorker2}) {
    EXPECT_EQ(jsonpath("node/" + node, "{.status.conditions[?(@.type==\"NetworkUnavailable\")].status}"), "False") << node;
    EXPECT_EQ(jsonpath("node/" + node, "{.status.nodeInfo.containerRuntimeVersion}").rfind(kRuntime + "://", 0), 0u) << node;
    // Every node of the lab runs the proxy: the kubelet reports it once the kernel lists it.
    EXPECT_TRUE(test::wait_until([&] { return !jsonpath("node/" + node, "{.status.nodeInfo.kubeProxyVersion}").empty(); }, 30s))
        << node;
  }
  std::string labels = jsonpath("node/" + kMaster, "{.metadata.labels}");
  EXPECT_NE(labels.find("node-role.kubernetes.io/control-plane"), std::string::npos) << labels;
  EXPECT_NE(labels.find("node-role.kubernetes.io/master"), std::string::npos) << "kept for older tools: " << labels;
}

TEST_F(Cluster, PodsOnTwoNodesTalkByIpOverTcpAndUdp) {
  create_pod("server", kWorker1, container("web", kHttpd) + container("udp", "/tools/udp-echo serve 9000"));
  create_pod("client", kWorker2, container("main", kSleep));
  std::string server_ip = running("server"), client_ip = running("client");
  auto cidrs = pod_cidrs();
  EXPECT_TRUE(in_cidr(server_ip, cidrs[kWorker1])) << server_ip << " not in " << cidrs[kWorker1];
  EXPECT_TRUE(in_cidr(client_ip, cidrs[kWorker2])) << client_ip << " not in " << cidrs[kWorker2];

  std::string http = exec("client", "printf \"GET / HTTP/1.0\\r\\n\\r\\n\" | nc -w 5 " + server_ip + " 8080");
  EXPECT_NE(http.find("hello from skiff"), std::string::npos) << http;
  std::string udp = exec("client", "/tools/udp-echo send " + server_ip + " 9000 ping-across-nodes");
  EXPECT_NE(udp.find("ping-across-nodes"), std::string::npos) << udp;
  // Pod to pod is not masqueraded: the server sees the client's own address.
  EXPECT_NE(ok({"logs", "server", "-c", "udp"}).find("from " + client_ip + ":"), std::string::npos)
      << ok({"logs", "server", "-c", "udp"});
}

TEST_F(Cluster, APodReachesAnotherNodesLanAddressThroughAHostPort) {
  create_pod("hostport", kWorker2,
             container("web", kHttpd, "    ports: [{containerPort: 8080, hostPort: 18080}]\n"));
  create_pod("caller", kWorker1, container("main", kSleep));
  running("hostport");
  running("caller");
  std::string worker2 = kLan + ".12";
  std::string http = exec("caller", "printf \"GET / HTTP/1.0\\r\\n\\r\\n\" | nc -w 5 " + worker2 + " 18080");
  EXPECT_NE(http.find("hello from skiff"), std::string::npos) << http;
  // From the machine itself (its address on the LAN bridge), too.
  auto from_host =
      test::run_command({"sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 5 " + worker2 + " 18080"});
  EXPECT_NE(from_host.out.find("hello from skiff"), std::string::npos) << from_host.both();
}

TEST_F(Cluster, ARestartedWorkerKeepsItsPodsAddressesAndConnectivity) {
  create_pod("steady", kWorker1, container("web", kHttpd));
  create_pod("asker", kWorker2, container("main", kSleep));
  std::string ip = running("steady");
  running("asker");
  auto restarted = lab->script({"restart", kWorker1});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.both();
  EXPECT_TRUE(test::wait_until([&] { return jsonpath("node/" + kWorker1, "{.status.conditions[?(@.type==\"Ready\")].status}") == "True"; }, 60s));
  EXPECT_EQ(jsonpath("pod/steady", "{.status.podIP}"), ip);
  EXPECT_EQ(jsonpath("pod/steady", "{.status.containerStatuses[0].restartCount}"), "0") << "adopted, not restarted";
  std::string http = exec("asker", "printf \"GET / HTTP/1.0\\r\\n\\r\\n\" | nc -w 5 " + ip + " 8080");
  EXPECT_NE(http.find("hello from skiff"), std::string::npos) << http;
}

// host-local keeps one file per address handed out: after the pods go, none is left.
TEST_F(Cluster, DeletedPodsGiveTheirAddressesBack) {
  ok({"delete", "pods", "-l", "test=cluster", "--wait=true", "--timeout=90s"});
  for (const auto& node : {kWorker1, kWorker2}) {
    std::string dir = kData + "/" + node + "/plugins/network/ipam/skiff";
    auto leases = [&] {
      std::vector<std::string> found;
      if (fs::exists(dir))
        for (const auto& entry : fs::directory_iterator(dir)) {
          std::string name = entry.path().filename();
          if (name != "lock" && name.rfind("last_reserved_ip", 0) != 0) found.push_back(name);
        }
      return found;
    };
    EXPECT_TRUE(test::wait_until([&] { return leases().empty(); }, 30s)) << node << " still leases " << leases().front();
  }
}

// After the bare pods are gone: drain refuses pods without a controller unless forced.
TEST_F(Cluster, DrainingAWorkerMovesADeploymentsPodsWhileItsBudgetKeepsTwoAvailable) {
  ok({"cordon", kWorker2});  // every pod starts on worker-1
  ok({"apply", "-f", "-"}, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: drained\nspec:\n  replicas: 3\n"
                            "  selector:\n    matchLabels: {app: drained}\n  template:\n    metadata:\n"
                            "      labels: {app: drained}\n    spec:\n      terminationGracePeriodSeconds: 1\n"
                            "      volumes: [{name: tools, hostPath: {path: " + data + "/tools}}]\n"
                            "      containers:\n" + indented(container("web", kHttpd), "    "));
  ok({"rollout", "status", "deployment/drained", "--timeout=120s"});
  ok({"uncordon", kWorker2});
  ok({"create", "pdb", "drained", "--selector=app=drained", "--min-available=2"});
  ASSERT_TRUE(test::wait_until([&] { return jsonpath("pdb/drained", "{.status.disruptionsAllowed}") == "1"; }, 60s))
      << ok({"get", "pdb", "drained", "-o", "yaml"});
  auto ready_pods = [] {
    std::string states = kubectl({"get", "pods", "-l", "app=drained", "-o",
                                  "jsonpath={range .items[*]}{.metadata.deletionTimestamp}/"
                                  "{.status.conditions[?(@.type==\"Ready\")].status} {end}"}).out;
    int ready = 0;
    for (std::size_t at = states.find("/True"); at != std::string::npos; at = states.find("/True", at + 1))
      if (at == 0 || states[at - 1] == ' ') ++ready;  // not terminating
    return ready;
  };
  std::atomic<bool> draining{true};
  std::atomic<int> fewest_ready{3};
  std::thread watcher([&] {
    while (draining) fewest_ready = std::min(fewest_ready.load(), ready_pods());
  });
  auto drained = kubectl({"drain", kWorker1, "--ignore-daemonsets", "--delete-emptydir-data", "--force", "--timeout=180s"});
  draining = false;
  watcher.join();
  EXPECT_EQ(drained.exit_code, 0) << drained.both();
  EXPECT_GE(fewest_ready.load(), 2);
  EXPECT_TRUE(test::wait_until([&] {
    return jsonpath("pods", "{range .items[?(@.metadata.labels.app==\"drained\")]}{.spec.nodeName} {end}") ==
               kWorker2 + " " + kWorker2 + " " + kWorker2 + " " && ready_pods() == 3;
  }, 120s)) << ok({"get", "pods", "-o", "wide"});
  ok({"uncordon", kWorker1});
  ok({"delete", "deployment", "drained"});
  ok({"delete", "pdb", "drained"});
  EXPECT_TRUE(test::wait_until([&] { return ok({"get", "pods", "-l", "app=drained", "-o", "name"}).empty(); }, 90s));
}

// Last: it leaves worker-2 out of the cluster.
TEST_F(Cluster, ARemovedNodesRouteGoesFromTheOthers) {
  std::string cidr = pod_cidrs()[kWorker2];
  ASSERT_FALSE(cidr.empty());
  EXPECT_NE(in_netns(kWorker1, {"ip", "route", "show", "proto", "73"}).find(cidr + " via " + kLan + ".12"), std::string::npos)
      << in_netns(kWorker1, {"ip", "route"});
  ok({"delete", "node", kWorker2});
  for (const auto& node : {kMaster, kWorker1})
    EXPECT_TRUE(test::wait_until([&] { return in_netns(node, {"ip", "route", "show", "proto", "73"}).find(cidr) == std::string::npos; }, 30s))
        << node << ": " << in_netns(node, {"ip", "route"});
}

}  // namespace

namespace {

// A pod on a worker reaches the API as in-cluster clients do: the `kubernetes` Service's
// address from its env, through the proxy, to the master; its mounted token says who it is.
TEST_F(Cluster, APodOnAWorkerReachesTheApiWithItsMountedToken) {
  create_pod("api-client", kWorker1, container("main", kSleep));
  running("api-client");
  const std::string get = "/tools/https-get --ca /var/run/secrets/kubernetes.io/serviceaccount/ca.crt "
                          "--token-file /var/run/secrets/kubernetes.io/serviceaccount/token ";
  const std::string api = "https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT";
  // The CA in the pod checks the apiserver's certificate at the Service's address.
  std::string self = exec("api-client", get + api + "/api/v1/namespaces/default/pods/api-client");
  EXPECT_EQ(self.rfind("200\n", 0), 0u) << self;
  EXPECT_NE(self.find("\"name\":\"api-client\""), std::string::npos) << self;
  std::string review = exec("api-client", get + "--post '{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}' " +
                                              api + "/apis/authentication.k8s.io/v1/selfsubjectreviews");
  EXPECT_NE(review.find("system:serviceaccount:default:default"), std::string::npos) << review;
  ok({"delete", "pod", "api-client", "--wait=false"});
}

}  // namespace
