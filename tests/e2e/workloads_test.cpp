// DaemonSets and StatefulSets on a real cluster (ctest label "cluster", LAN 10.213.13): a
// DaemonSet's pod on every node it may run on (not on the tainted master unless it tolerates
// the taint), back on a node after its skiffd restarts or its pod goes; StatefulSet pods made
// in order, keeping their names and their claims' data across a pod delete, and finding each
// other by their DNS names through the cluster's DNS addon.
#include <set>
#include <sstream>

#include "cluster_fixture.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

const std::string kData = SKIFF_TEST_CLUSTER_DIR;
const std::string kLan = "10.213.13";
const std::string kCluster = "skw";
const std::string kMaster = kCluster + "-master", kWorker1 = kCluster + "-worker-1", kWorker2 = kCluster + "-worker-2";

std::string daemon_set(const std::string& name, bool tolerate_control_plane) {
  return "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: " + name + "\n  labels: {test: workloads}\nspec:\n"
         "  selector: {matchLabels: {app: " + name + "}}\n"
         "  template:\n    metadata: {labels: {app: " + name + "}}\n    spec:\n"
         "      terminationGracePeriodSeconds: 1\n" +
         (tolerate_control_plane ? "      tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists}]\n" : "") +
         "      containers:\n      - name: main\n        image: skiff/busybox:1\n        imagePullPolicy: IfNotPresent\n"
         "        command: [sh, -c, 'exec sleep 100000']\n";
}

// Each pod keeps the name of the pod that first wrote its claim, and serves nothing.
const std::string kStatefulSet = R"(apiVersion: v1
kind: Service
metadata: {name: db, labels: {test: workloads}}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{name: peer, port: 7000}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, labels: {test: workloads}}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Delete}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: skiff/busybox:1
        imagePullPolicy: IfNotPresent
        command: [sh, -c, '[ -f /data/first ] || hostname > /data/first; exec sleep 100000']
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 16Mi}}
)";

class Workloads : public test::ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_lab({kData, kLan, "skiff-lan-w", kCluster}); }
  static void TearDownTestSuite() {
    if (lab) {
      kubectl({"delete", "statefulsets,daemonsets,services", "-l", "test=workloads", "--wait=true", "--timeout=90s"});
      test::wait_until([] { return kubectl({"get", "pvc,pods", "-o", "name"}).out.empty(); }, 90s, 200ms);
    }
    stop_lab();
  }

  // node → running pods of the app there.
  static std::map<std::string, int> running_by_node(const std::string& app) {
    std::map<std::string, int> out;
    std::string listing = ok({"get", "pods", "-l", "app=" + app, "-o",
                              "jsonpath={range .items[?(@.status.phase==\"Running\")]}{.spec.nodeName}{\"\\n\"}{end}"});
    std::istringstream nodes(listing);
    for (std::string node; std::getline(nodes, node);)
      if (!node.empty()) ++out[node];
    return out;
  }
  static bool on_nodes(const std::string& app, const std::map<std::string, int>& expected) {
    return test::wait_until([&] { return running_by_node(app) == expected; }, 120s, 300ms);
  }
  static std::string pod_on(const std::string& app, const std::string& node) {
    return ok({"get", "pods", "-l", "app=" + app, "--field-selector", "spec.nodeName=" + node, "-o",
               "jsonpath={.items[0].metadata.name}"});
  }
};

TEST_F(Workloads, DaemonSetRunsOnEveryNodeItMayAndComesBack) {
  ok({"apply", "-f", "-"}, daemon_set("agent", false));
  ok({"apply", "-f", "-"}, daemon_set("everywhere", true));
  ASSERT_TRUE(on_nodes("agent", {{kWorker1, 1}, {kWorker2, 1}})) << "not on the tainted master: " << ok({"get", "pods", "-o", "wide"});
  ASSERT_TRUE(on_nodes("everywhere", {{kMaster, 1}, {kWorker1, 1}, {kWorker2, 1}})) << ok({"get", "pods", "-o", "wide"});
  EXPECT_NE(ok({"rollout", "status", "ds/agent", "--timeout=120s"}).find("successfully rolled out"), std::string::npos);

  std::string gone = pod_on("agent", kWorker1);
  ok({"delete", "pod", gone, "--wait=true"});
  ASSERT_TRUE(test::wait_until([&] {
    std::string now = pod_on("agent", kWorker1);
    return !now.empty() && now != gone && running_by_node("agent").count(kWorker1);
  }, 120s, 300ms)) << "the node gets a pod again";

  auto restarted = lab->script({"restart", kWorker2});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.both();
  EXPECT_TRUE(test::wait_until([&] {
    return jsonpath("node/" + kWorker2, "{.status.conditions[?(@.type==\"Ready\")].status}") == "True";
  }, 60s, 300ms));
  EXPECT_TRUE(on_nodes("agent", {{kWorker1, 1}, {kWorker2, 1}})) << "a restarted node keeps (or gets) its pod";
  ok({"delete", "daemonsets", "-l", "test=workloads", "--wait=true"});
  EXPECT_TRUE(test::wait_until([&] { return ok({"get", "pods", "-l", "app in (agent,everywhere)", "-o", "name"}).empty(); }, 90s, 300ms));
}

TEST_F(Workloads, StatefulSetPodsComeInOrderKeepNamesAndDataAndResolveEachOther) {
  ok({"apply", "-f", "-"}, kStatefulSet);
  std::string ip0 = running("db-0");
  std::string ip1 = running("db-1");
  // OrderedReady: db-1 was made only once db-0 was Ready.
  std::string ready0 = jsonpath("pod/db-0", "{.status.conditions[?(@.type==\"Ready\")].lastTransitionTime}");
  std::string created1 = jsonpath("pod/db-1", "{.metadata.creationTimestamp}");
  EXPECT_LE(ready0, created1);
  EXPECT_EQ(ok({"get", "pvc", "-o", "name"}), "persistentvolumeclaim/data-db-0\npersistentvolumeclaim/data-db-1\n");
  EXPECT_NE(ok({"rollout", "status", "sts/db", "--timeout=120s"}).find("2 pods at revision"), std::string::npos);

  // A pod's record appears once the endpoint controller and the DNS addon have seen it Ready.
  std::string lookup;
  // busybox's nslookup never applies the search list to a dotted name; ping resolves through
  // libc, which does (ndots:5), as an application in the pod would.
  auto resolves = [&](const std::string& from, const std::string& command, const std::string& ip) {
    return test::wait_until([&] { return (lookup = exec(from, command)).find(ip) != std::string::npos; }, 30s, 300ms);
  };
  EXPECT_TRUE(resolves("db-1", "nslookup db-0.db.default.svc.cluster.local", ip0)) << lookup;
  EXPECT_TRUE(resolves("db-0", "ping -c1 -W1 db-1.db 2>&1 | head -1", ip1)) << lookup;

  exec("db-0", "echo kept > /data/note");
  std::string uid = jsonpath("pod/db-0", "{.metadata.uid}");
  ok({"delete", "pod", "db-0", "--wait=true"});
  ASSERT_TRUE(test::wait_until([&] {
    auto r = kubectl({"get", "pod", "db-0", "-o", "jsonpath={.metadata.uid}"});
    return r.exit_code == 0 && !r.out.empty() && r.out != uid;
  }, 120s, 300ms));
  running("db-0");
  EXPECT_EQ(exec("db-0", "cat /data/note /data/first"), "kept\ndb-0\n") << "the claim and its data outlive the pod";

  ok({"scale", "sts/db", "--replicas=1"});
  EXPECT_TRUE(test::wait_until([&] { return kubectl({"get", "pod", "db-1"}).exit_code != 0; }, 90s, 300ms));
  EXPECT_TRUE(test::wait_until([&] { return ok({"get", "pvc", "-o", "name"}) == "persistentvolumeclaim/data-db-0\n"; }, 90s, 300ms))
      << "whenScaled: Delete";
  ok({"delete", "statefulset", "db", "--wait=true"});
  EXPECT_TRUE(test::wait_until([&] { return ok({"get", "pvc", "-o", "name"}).empty(); }, 90s, 300ms)) << "whenDeleted: Delete";
}

}  // namespace
