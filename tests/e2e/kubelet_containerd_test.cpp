// Pods on containerd through its CRI, driven by the real kubectl on a node with the control
// plane, the kubelet and runtime-containerd (Skiff's containerd, scripts/containerd.sh):
// replicas run, a removed container comes back, scale to 0 cleans up, a crashing container
// backs off with its previous logs kept, logs -f and exec (-i, exit codes) work, kubectl debug
// works (ephemeral containers, --copy-to, node/…), a restarted kubelet adopts what runs, and Docker and containerd share a node through RuntimeClass either
// way round. Each test runs its own node name and removes, through CRI, every sandbox labelled
// with it, even when it fails.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <set>

#include "api_node.hpp"
#include "kubelet_debug_scenarios.hpp"
#include "kubelet_node_fixture.hpp"
#include "command.hpp"
#include "cri_client.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/runtime/labels.hpp"
#include "temp_dir.hpp"
#include "test_images.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
using api::core::v1::Pod;
namespace cri = ::runtime::v1;

const char* kSocket = "/run/skiff/containerd/containerd.sock";

// The node's sandboxes and containers in containerd, through CRI; all removed when the test ends.
class CriCleanup {
 public:
  explicit CriCleanup(std::string node) : node_(std::move(node)), cri_(kSocket, 30s) { remove_all(); }
  ~CriCleanup() { remove_all(); }
  // Container ids of the node carrying `label` = `value` too ("" for all of the node's).
  std::vector<std::string> containers(const std::string& label = "", const std::string& value = "") {
    cri::ListContainersRequest r;
    auto& selector = *r.mutable_filter()->mutable_label_selector();
    selector[sdk::label::kNode] = node_;
    if (!label.empty()) selector[label] = value;
    std::vector<std::string> ids;
    auto listed = cri_.list_containers(r);
    for (const auto& c : listed.containers()) ids.push_back(c.id());
    return ids;
  }
  std::vector<std::string> sandboxes() {
    cri::ListPodSandboxRequest r;
    (*r.mutable_filter()->mutable_label_selector())[sdk::label::kNode] = node_;
    std::vector<std::string> ids;
    auto listed = cri_.list_pod_sandbox(r);
    for (const auto& s : listed.items()) ids.push_back(s.id());
    return ids;
  }
  void remove_container(const std::string& id) {
    cri_.stop_container(id, 0);
    cri_.remove_container(id);
  }
  void remove_all() {
    for (const auto& id : sandboxes()) {
      cri_.stop_pod_sandbox(id);
      cri_.remove_pod_sandbox(id);
    }
  }

 private:
  std::string node_;
  containerd::CriClient cri_;
};

class KubeletContainerd : public test::KubeletDebugScenarios<CriCleanup> {
 protected:
  std::string plugins() const override {
    return "  - name: scheduler-default\n    config: {leader_elect: false}\n"
           "  - name: controller-manager\n    config: {leader_elect: false}\n"
           "  - name: runtime-containerd\n"  // no network plugin here: its default bridge
           "  - name: kubelet\n    config: {restart_backoff: 1s, restart_backoff_max: 8s, relist_period: 500ms, server_address: \"127.0.0.1:0\"}\n";
  }
  std::string node_prefix() const override { return "e2e-cd"; }
  void prepare() override { test::import_test_images(); }

  // The id the runtime gave the pod's first container (the status's "containerd://<id>").
  static std::string runtime_id(const Pod& p) {
    const std::string& id = p.status().container_statuses(0).container_id();
    EXPECT_TRUE(id.starts_with("containerd://")) << id;
    return id.substr(id.find("://") + 3);
  }
  bool running(const std::string& name) {
    return test::wait_until([&] {
      auto p = pod(name);
      return p && p->status().phase() == "Running";
    }, 60s, 100ms);
  }
  void apply_pod(const std::string& name, const std::string& spec_lines, const std::string& container_yaml) {
    ok({"apply", "-f", "-"}, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n" + spec_lines +
                                 "  containers:\n" + container_yaml);
  }

};

const char* kWeb = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: skiff/busybox:1
        imagePullPolicy: IfNotPresent
        command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
        readinessProbe:
          exec: {command: [wget, -q, -O-, "http://127.0.0.1:8080/"]}
          periodSeconds: 1
)";

const char* kSleeper = "  - name: app\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n    command: [sleep, '3600']\n";

TEST_F(KubeletContainerd, ReplicasRunARemovedContainerComesBackScaleToZeroCleansUp) {
  ok({"apply", "-f", "-"}, kWeb);
  ASSERT_TRUE(all_ready("app=web", 3)) << ok({"get", "pods", "-o", "wide"});
  EXPECT_EQ(cleanup->containers(sdk::label::kContainerName, "web").size(), 3u);
  std::set<std::string> ips;
  for (const auto& p : pods("app=web")) {
    EXPECT_EQ(p.spec().node_name(), node_name);
    EXPECT_EQ(p.status().pod_ip().rfind("10.88.", 0), 0u) << "the default bridge's: " << p.status().pod_ip();
    ips.insert(p.status().pod_ip());
  }
  EXPECT_EQ(ips.size(), 3u);

  // A container removed behind the kubelet's back is started again, counted as a restart.
  Pod victim = pods("app=web").front();
  cleanup->remove_container(runtime_id(victim));
  EXPECT_TRUE(test::wait_until([&] {
    auto p = pod(victim.metadata().name());
    return p && restarts(*p) == 1 && ready(*p);
  }, 30s, 100ms)) << ok({"get", "pods"});

  ok({"scale", "deployment/web", "--replicas=0"});
  EXPECT_TRUE(test::wait_until([&] { return pods("app=web").empty() && cleanup->sandboxes().empty(); }, 60s, 200ms))
      << cleanup->sandboxes().size() << " sandboxes left";
}

TEST_F(KubeletContainerd, ACrashingContainerBacksOffAndItsPreviousLogsAreKept) {
  apply_pod("crash", "", "  - name: crash\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
                         "    command: [sh, -c, 'echo boom; exit 3']\n");
  ASSERT_TRUE(test::wait_until([&] {
    auto p = pod("crash");
    return p && restarts(*p) >= 2;
  }, 60s, 100ms)) << ok({"get", "pod", "crash", "-o", "yaml"});
  auto p = pod("crash");
  EXPECT_EQ(p->status().container_statuses(0).last_state().terminated().exit_code(), 3);
  EXPECT_EQ(p->status().container_statuses(0).last_state().terminated().reason(), "Error");
  EXPECT_EQ(ok({"logs", "crash", "--previous"}), "boom\n");
}

TEST_F(KubeletContainerd, LogsFollowAndExecGoThroughTheApi) {
  apply_pod("ticker", "", "  - name: ticker\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
                          "    command: [sh, -c, 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done']\n");
  ASSERT_TRUE(running("ticker"));
  // Follow: lines keep arriving until kubectl is stopped.
  auto followed = kubectl({"logs", "-f", "ticker"}, "", 3s);
  EXPECT_EQ(followed.exit_code, -1) << "logs -f ended by itself: " << followed.both();
  EXPECT_NE(followed.out.find("tick 0\n"), std::string::npos) << followed.out;
  EXPECT_NE(followed.out.find("tick 5\n"), std::string::npos) << followed.out;
  auto tail = ok({"logs", "ticker", "--tail=2"});
  EXPECT_EQ(std::count(tail.begin(), tail.end(), '\n'), 2) << tail;
  auto stamped = ok({"logs", "ticker", "--tail=1", "--timestamps"});
  EXPECT_NE(stamped.find("Z tick "), std::string::npos) << stamped;

  auto out = kubectl({"exec", "ticker", "--", "sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(out.exit_code, 3) << out.both();
  EXPECT_EQ(out.out, "out\n");
  EXPECT_NE(out.err.find("err\n"), std::string::npos) << out.err;
  EXPECT_EQ(ok({"exec", "-i", "ticker", "--", "tr", "a-z", "A-Z"}, "hello\n"), "HELLO\n");
  EXPECT_NE(kubectl({"exec", "ticker", "--", "/no/such/binary"}).exit_code, 0);
}

// status.podIP from the container's first start (the sandbox's network is made before any
// container), and a downwardAPI volume that follows `kubectl label`.
TEST_F(KubeletContainerd, TheDownwardApiGivesThePodIpFromTheFirstStartAndFollowsLabels) {
  apply_pod("downward",
            "  volumes: [{name: podinfo, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}]\n",
            "  - name: main\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n    command: [sleep, '3600']\n"
            "    env: [{name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]\n"
            "    volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]\n");
  ASSERT_TRUE(running("downward"));
  Pod p = *pod("downward");
  ASSERT_FALSE(p.status().pod_ip().empty());
  EXPECT_EQ(ok({"exec", "downward", "--", "sh", "-c", "echo \"$POD_IP\""}), p.status().pod_ip() + "\n");
  auto labels = [&] { return kubectl({"exec", "downward", "--", "cat", "/etc/podinfo/labels"}).out; };
  EXPECT_EQ(labels(), "");
  ok({"label", "pod", "downward", "app=downward"});
  EXPECT_TRUE(test::wait_until([&] { return labels() == "app=\"downward\""; }, 30s, 200ms)) << labels();
}

TEST_F(KubeletContainerd, ARestartedKubeletAdoptsItsContainers) {
  ok({"apply", "-f", "-"}, kWeb);
  ASSERT_TRUE(all_ready("app=web", 3));
  auto before = cleanup->containers();
  ASSERT_EQ(before.size(), 3u);
  ASSERT_EQ(cleanup->sandboxes().size(), 3u);
  node->node().stop();
  node->node().start();
  ASSERT_TRUE(all_ready("app=web", 3)) << ok({"get", "pods", "-o", "yaml"});
  auto after = cleanup->containers();
  EXPECT_EQ(std::set<std::string>(after.begin(), after.end()), std::set<std::string>(before.begin(), before.end()));
  EXPECT_EQ(cleanup->sandboxes().size(), 3u);
  for (const auto& p : pods("app=web")) EXPECT_EQ(restarts(p), 0);
}

TEST_F(KubeletContainerd, DeletionRunsPreStopThenSigtermAndSigkillsWhatOutlivesTheGrace) {
  // What the containers did is written to a directory of the test's, mounted as hostPath.
  test::TempDir host;
  auto pod_with = [&](const std::string& name, const std::string& command) {
    apply_pod(name, "  terminationGracePeriodSeconds: 2\n  volumes: [{name: out, hostPath: {path: " + host.path() + "}}]\n",
              "  - name: app\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
              "    volumeMounts: [{name: out, mountPath: /out}]\n    command: [sh, -c, '" + command + "']\n"
              "    lifecycle: {preStop: {exec: {command: [sh, -c, 'touch /out/" + name + "-prestop']}}}\n");
  };
  // One that leaves on SIGTERM, one that ignores it (and must be killed when the grace ends).
  pod_with("polite", "trap \"touch /out/polite-sigterm; exit 0\" TERM; while true; do sleep 0.1; done");
  pod_with("stubborn", "trap \"\" TERM; while true; do sleep 0.1; done");
  ASSERT_TRUE(running("polite"));
  ASSERT_TRUE(running("stubborn"));
  ok({"delete", "pod", "polite", "stubborn", "--wait=true"});
  EXPECT_FALSE(pod("polite") || pod("stubborn"));
  EXPECT_TRUE(std::filesystem::exists(host.file("polite-prestop")));
  EXPECT_TRUE(std::filesystem::exists(host.file("polite-sigterm")));
  EXPECT_TRUE(std::filesystem::exists(host.file("stubborn-prestop")));
  EXPECT_TRUE(test::wait_until([&] { return cleanup->sandboxes().empty(); }, 30s, 100ms));
}

TEST_F(KubeletContainerd, AFailingLivenessProbeRestartsAndReadinessGatesReady) {
  // sleep is PID 1 of its own PID namespace, as under Kubernetes: SIGTERM does nothing to it,
  // so the kill after the failed probe takes the grace period.
  apply_pod("probed", "  terminationGracePeriodSeconds: 1\n", R"(  - name: app
    image: skiff/busybox:1
    imagePullPolicy: IfNotPresent
    command: [sh, -c, 'touch /tmp/alive; exec sleep 3600']
    livenessProbe:
      exec: {command: [test, -f, /tmp/alive]}
      periodSeconds: 1
      failureThreshold: 1
    readinessProbe:
      exec: {command: [test, -f, /tmp/ready]}
      periodSeconds: 1
)");
  ASSERT_TRUE(test::wait_until([&] {
    auto p = pod("probed");
    return p && p->status().phase() == "Running" && p->status().container_statuses_size() &&
           p->status().container_statuses(0).state().has_running();
  }, 60s, 100ms));
  EXPECT_FALSE(ready(*pod("probed")));  // not until the readiness file exists
  ok({"exec", "probed", "--", "touch", "/tmp/ready"});
  EXPECT_TRUE(test::wait_until([&] { return ready(*pod("probed")); }, 20s, 100ms));
  ok({"exec", "probed", "--", "rm", "/tmp/alive"});
  EXPECT_TRUE(test::wait_until([&] {
    auto p = pod("probed");
    return p && restarts(*p) == 1 && p->status().container_statuses(0).state().has_running();
  }, 30s, 100ms)) << ok({"describe", "pod", "probed"});
  // The new container has no /tmp/ready: not Ready again until it has.
  EXPECT_TRUE(test::wait_until([&] { return !ready(*pod("probed")); }, 10s, 100ms));
}

TEST_F(KubeletContainerd, AnImageThatCannotBePulledIsErrImagePullThenImagePullBackOff) {
  // A registry on a closed loopback port: the pull fails at once, nothing leaves the machine.
  apply_pod("unpullable", "", "  - name: app\n    image: 127.0.0.1:1/skiff-missing:1\n    imagePullPolicy: Always\n");
  std::set<std::string> reasons;
  EXPECT_TRUE(test::wait_until([&] {
    auto p = pod("unpullable");
    if (p && p->status().container_statuses_size()) {
      const auto& waiting = p->status().container_statuses(0).state().waiting();
      if (!waiting.reason().empty()) reasons.insert(waiting.reason());
      if (waiting.reason() == "ErrImagePull") {
        EXPECT_NE(waiting.message().find("127.0.0.1:1/skiff-missing:1"), std::string::npos) << waiting.message();
      }
    }
    return reasons.count("ImagePullBackOff") > 0;
  }, 60s, 50ms)) << ok({"describe", "pod", "unpullable"});
  // The ErrImagePull state may last less than one poll before the back-off replaces it; the
  // kubelet's "Error: ErrImagePull" event stays.
  auto events = ok({"get", "events", "--field-selector", "involvedObject.name=unpullable", "-o",
                    "jsonpath={.items[*].message}"});
  EXPECT_TRUE(reasons.count("ErrImagePull") || events.find("Error: ErrImagePull") != std::string::npos)
      << "ErrImagePull came first: " << events;
  EXPECT_EQ(pod("unpullable")->status().phase(), "Pending");
}

// A node with Docker and containerd: `default_runtime` serves pods without runtimeClassName,
// the other answers to its handler.
// kubectl debug (kubelet_debug_scenarios.hpp): ephemeral containers, once and on a terminal.
TEST_F(KubeletContainerd, DebugAddsEphemeralContainersThatSeeTheTargetsProcesses) {
  ASSERT_NO_FATAL_FAILURE(run_debugged_pod());
  ASSERT_NO_FATAL_FAILURE(debug_runs_once_in_the_targets_pid_namespace());
  debug_gives_a_terminal_that_follows_resizes();
}

TEST_F(KubeletContainerd, DebugCopiesAPodSharingItsProcesses) {
  ASSERT_NO_FATAL_FAILURE(run_debugged_pod());
  debug_copy_to_shares_the_copys_processes();
}

TEST_F(KubeletContainerd, DebugNodeRunsInTheNodesNamespaces) { debug_node_runs_in_the_nodes_namespaces(); }

class KubeletDockerAndContainerd : public KubeletContainerd {
 protected:
  virtual bool containerd_is_default() const = 0;
  void TearDown() override {
    KubeletContainerd::TearDown();
    // What Docker runs for this node goes too, whatever happened.
    auto ids = test::run_command({"/usr/bin/docker", "ps", "-aq", "--filter", std::string("label=") + sdk::label::kNode + "=" + node_name});
    std::vector<std::string> argv = {"/usr/bin/docker", "rm", "-f"};
    for (std::size_t at = 0, nl; (nl = ids.out.find('\n', at)) != std::string::npos; at = nl + 1) argv.push_back(ids.out.substr(at, nl - at));
    if (argv.size() > 3) test::run_command(argv);
  }
  std::string plugins() const override {
    bool cd = containerd_is_default();
    return "  - name: scheduler-default\n    config: {leader_elect: false}\n"
           "  - name: runtime-docker\n    config: {network: docker-bridge, default: " + std::string(cd ? "false" : "true") + "}\n"
           "  - name: runtime-containerd\n    config: {default: " + std::string(cd ? "true" : "false") + "}\n"
           "  - name: kubelet\n    config: {server_address: \"127.0.0.1:0\"}\n";
  }
  void picks_by_runtime_class() {
    bool cd = containerd_is_default();
    std::string other = cd ? "docker" : "containerd";
    ok({"apply", "-f", "-"}, "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: other-" + node_name +
                                 "\nhandler: " + other + "\n");
    apply_pod("by-class", "  runtimeClassName: other-" + node_name + "\n  terminationGracePeriodSeconds: 0\n", kSleeper);
    apply_pod("by-default", "  terminationGracePeriodSeconds: 0\n", kSleeper);
    ASSERT_TRUE(running("by-class")) << ok({"describe", "pod", "by-class"});
    ASSERT_TRUE(running("by-default")) << ok({"describe", "pod", "by-default"});
    auto on_containerd = [&](const std::string& name) {
      return !cleanup->containers(sdk::label::kPodUid, pod(name)->metadata().uid()).empty();
    };
    EXPECT_EQ(on_containerd("by-class"), !cd);
    EXPECT_EQ(on_containerd("by-default"), cd);
    auto on_containerd_ids = cleanup->containers();
    std::string containerd_pod = cd ? "by-default" : "by-class";
    EXPECT_EQ(std::count(on_containerd_ids.begin(), on_containerd_ids.end(), runtime_id(*pod(containerd_pod))), 1)
        << "the status names containerd's container";
    EXPECT_EQ(ok({"exec", "by-class", "--", "echo", "hi"}), "hi\n");
    EXPECT_EQ(ok({"exec", "by-default", "--", "echo", "hi"}), "hi\n");
    ok({"delete", "pod", "by-class", "by-default", "--wait=true"});
    ok({"delete", "runtimeclass", "other-" + node_name});
    EXPECT_TRUE(test::wait_until([&] { return cleanup->sandboxes().empty(); }, 30s, 100ms));
  }
};

class KubeletContainerdDefault : public KubeletDockerAndContainerd {
  bool containerd_is_default() const override { return true; }
};
class KubeletDockerDefault : public KubeletDockerAndContainerd {
  bool containerd_is_default() const override { return false; }
};

TEST_F(KubeletContainerdDefault, APodPicksDockerThroughItsRuntimeClass) { picks_by_runtime_class(); }
TEST_F(KubeletDockerDefault, APodPicksContainerdThroughItsRuntimeClass) { picks_by_runtime_class(); }

}  // namespace
