// Pods on runtime-runc — runc with no daemon — driven by the real kubectl on a node with the
// control plane, the kubelet and runtime-runc (its default bridge: no network plugin here):
// replicas run, a killed container comes back, scale to 0 cleans up, a crashing container backs
// off with its previous logs kept, logs -f and exec (-i, exit codes) work, probes restart and
// gate readiness, deletion runs preStop then SIGTERM, an image comes from a real registry, and a
// skiffd that is restarted — or killed with SIGKILL — finds its containers still running and
// reports the real exit codes of those that ended while it was away. Each test gives the plugin
// a root of its own and removes what runc runs there, even when it fails.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "api_node.hpp"
#include "command.hpp"
#include "kubelet_node_fixture.hpp"
#include "runc_lab.hpp"
#include "test_images.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/runtime/v1/runtime.pb.h"
#include "skiff/sdk/runtime/labels.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
using api::core::v1::Pod;
namespace fs = std::filesystem;

// The plugin's root (a temp dir of the test's) read as the plugin leaves it; at the end every
// container is deleted through runc and every mount under the root (overlay roots, pinned
// namespaces) undone before the directory goes.
class RuncCleanup {
 public:
  explicit RuncCleanup(const std::string& /*node*/) {}
  ~RuncCleanup() {
    for (const auto& id : containers()) runc({"delete", "--force", id});
    release_addresses();
    std::vector<std::string> mounts;
    std::ifstream table("/proc/self/mounts");
    std::string device, point, rest;
    while (table >> device >> point && std::getline(table, rest))
      if (point.rfind(root_.path() + "/", 0) == 0) mounts.push_back(point);
    std::sort(mounts.rbegin(), mounts.rend());  // deepest first
    for (const auto& m : mounts) ::umount2(m.c_str(), MNT_DETACH);
  }
  // host-local's records of this root's sandboxes in the machine-wide directory (no CNI DEL ran
  // for sandboxes left when the node stopped).
  void release_addresses() const {
    std::set<std::string> sandboxes;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_.path() + "/sandboxes", ec))
      sandboxes.insert(entry.path().filename().string());
    for (const auto& record : fs::directory_iterator("/var/lib/skiff-runc/cni/networks/skiff-runc", ec)) {
      std::string owner = test::read_file(record.path().string());
      owner = owner.substr(0, owner.find_first_of("\r\n"));
      if (sandboxes.count(owner)) fs::remove(record.path(), ec);
    }
  }
  const std::string& root() const { return root_.path(); }
  test::CommandResult runc(std::vector<std::string> args) const {
    args.insert(args.begin(), {"/usr/sbin/runc", "--root", root_.path() + "/runc"});
    return test::run_command(args);
  }
  // Container ids carrying `label` = `value` ("" for all).
  std::vector<std::string> containers(const std::string& label = "", const std::string& value = "") const {
    std::vector<std::string> ids;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_.path() + "/containers", ec)) {
      runtime::v1::ContainerStatus status;
      std::ifstream in(entry.path() / "status.pb", std::ios::binary);
      if (!in || !status.ParseFromIstream(&in)) continue;
      if (label.empty() || (status.labels().count(label) && status.labels().at(label) == value))
        ids.push_back(status.id());
    }
    return ids;
  }
  std::size_t sandboxes() const {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = fs::directory_iterator(root_.path() + "/sandboxes", ec); it != fs::directory_iterator(); ++it) ++n;
    return n;
  }
  // The monitor's exit record of a container ("" while it runs).
  std::string exit_record(const std::string& id) const { return test::read_file(root_.path() + "/containers/" + id + "/exit"); }

 private:
  test::TempDir root_;
};

class KubeletRunc : public test::KubeletNodeTest<RuncCleanup> {
 protected:
  std::string plugins() const override {
    return "  - name: scheduler-default\n    config: {leader_elect: false}\n"
           "  - name: controller-manager\n    config: {leader_elect: false}\n"
           "  - name: runtime-runc\n    config: {root: " + cleanup->root() + ", image_archives: [" +
           test::busybox_image_archive() + "]}\n"
           "  - name: kubelet\n    config: {restart_backoff: 1s, restart_backoff_max: 8s, relist_period: 500ms, server_address: \"127.0.0.1:0\"}\n";
  }
  std::string node_prefix() const override { return "e2e-runc"; }
  void prepare() override {
    if (auto missing = test::runc_missing_prerequisite(); !missing.empty()) GTEST_SKIP() << missing;
  }

  // The id the runtime gave the pod's first container (the status's "runc://<id>").
  static std::string runtime_id(const Pod& p) {
    const std::string& id = p.status().container_statuses(0).container_id();
    EXPECT_TRUE(id.starts_with("runc://")) << id;
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
  // After a restart or a kill: the web pods Ready in the same containers, none restarted.
  void expect_web_adopted(const std::vector<std::string>& before) {
    ASSERT_TRUE(all_ready("app=web", 3)) << ok({"get", "pods", "-o", "yaml"});
    std::set<std::string> ids;
    for (const auto& p : pods("app=web")) {
      EXPECT_EQ(restarts(p), 0) << p.metadata().name();
      ids.insert(runtime_id(p));
    }
    EXPECT_EQ(ids, std::set<std::string>(before.begin(), before.end()));
    for (const auto& id : before) EXPECT_EQ(cleanup->exit_record(id), "") << id << " kept running";
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

TEST_F(KubeletRunc, ReplicasRunAKilledContainerComesBackScaleToZeroCleansUp) {
  ok({"apply", "-f", "-"}, kWeb);
  ASSERT_TRUE(all_ready("app=web", 3)) << ok({"get", "pods", "-o", "wide"});
  EXPECT_EQ(cleanup->containers(sdk::label::kContainerName, "web").size(), 3u);
  std::set<std::string> ips;
  for (const auto& p : pods("app=web")) {
    EXPECT_EQ(p.spec().node_name(), node_name);
    EXPECT_EQ(p.status().pod_ip().rfind("10.89.", 0), 0u) << "the default bridge's: " << p.status().pod_ip();
    ips.insert(p.status().pod_ip());
  }
  EXPECT_EQ(ips.size(), 3u);

  // A container killed behind the kubelet's back is started again, counted as a restart.
  Pod victim = pods("app=web").front();
  EXPECT_EQ(cleanup->runc({"kill", runtime_id(victim), "KILL"}).exit_code, 0);
  EXPECT_TRUE(test::wait_until([&] {
    auto p = pod(victim.metadata().name());
    return p && restarts(*p) == 1 && ready(*p);
  }, 30s, 100ms)) << ok({"get", "pods"});
  EXPECT_EQ(pod(victim.metadata().name())->status().container_statuses(0).last_state().terminated().exit_code(), 137);

  ok({"scale", "deployment/web", "--replicas=0"});
  EXPECT_TRUE(test::wait_until([&] { return pods("app=web").empty() && cleanup->sandboxes() == 0; }, 60s, 200ms))
      << cleanup->sandboxes() << " sandboxes left";
  EXPECT_TRUE(cleanup->containers().empty());
}

TEST_F(KubeletRunc, ACrashingContainerBacksOffAndItsPreviousLogsAreKept) {
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

TEST_F(KubeletRunc, LogsFollowAndExecGoThroughTheApi) {
  apply_pod("ticker", "", "  - name: ticker\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
                          "    command: [sh, -c, 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done']\n");
  ASSERT_TRUE(running("ticker"));
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
TEST_F(KubeletRunc, TheDownwardApiGivesThePodIpFromTheFirstStartAndFollowsLabels) {
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

TEST_F(KubeletRunc, DeletionRunsPreStopThenSigtermAndSigkillsWhatOutlivesTheGrace) {
  test::TempDir host;
  auto pod_with = [&](const std::string& name, const std::string& command) {
    apply_pod(name, "  terminationGracePeriodSeconds: 2\n  volumes: [{name: out, hostPath: {path: " + host.path() + "}}]\n",
              "  - name: app\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
              "    volumeMounts: [{name: out, mountPath: /out}]\n    command: [sh, -c, '" + command + "']\n"
              "    lifecycle: {preStop: {exec: {command: [sh, -c, 'touch /out/" + name + "-prestop']}}}\n");
  };
  pod_with("polite", "trap \"touch /out/polite-sigterm; exit 0\" TERM; while true; do sleep 0.1; done");
  pod_with("stubborn", "trap \"\" TERM; while true; do sleep 0.1; done");
  ASSERT_TRUE(running("polite"));
  ASSERT_TRUE(running("stubborn"));
  ok({"delete", "pod", "polite", "stubborn", "--wait=true"});
  EXPECT_FALSE(pod("polite") || pod("stubborn"));
  EXPECT_TRUE(fs::exists(host.file("polite-prestop")));
  EXPECT_TRUE(fs::exists(host.file("polite-sigterm")));
  EXPECT_TRUE(fs::exists(host.file("stubborn-prestop")));
  EXPECT_TRUE(test::wait_until([&] { return cleanup->sandboxes() == 0; }, 30s, 100ms));
}

TEST_F(KubeletRunc, AFailingLivenessProbeRestartsAndReadinessGatesReady) {
  apply_pod("probed", "", R"(  - name: app
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
  EXPECT_FALSE(ready(*pod("probed")));
  ok({"exec", "probed", "--", "touch", "/tmp/ready"});
  EXPECT_TRUE(test::wait_until([&] { return ready(*pod("probed")); }, 20s, 100ms));
  ok({"exec", "probed", "--", "rm", "/tmp/alive"});
  EXPECT_TRUE(test::wait_until([&] {
    auto p = pod("probed");
    return p && restarts(*p) == 1 && p->status().container_statuses(0).state().has_running();
  }, 30s, 100ms)) << ok({"describe", "pod", "probed"});
  EXPECT_TRUE(test::wait_until([&] { return !ready(*pod("probed")); }, 10s, 100ms));
}

TEST_F(KubeletRunc, AnImageThatCannotBePulledIsErrImagePullThenImagePullBackOff) {
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
}

TEST_F(KubeletRunc, APodRunsAnImagePulledFromARealRegistry) {
  if (auto missing = test::registry_missing_prerequisite(); !missing.empty()) GTEST_SKIP() << missing;
  test::TestRegistry registry;
  registry.push("docker-archive:" + test::busybox_image_archive(), "skiff/pulled:1");
  apply_pod("pulled", "  restartPolicy: Never\n", "  - name: app\n    image: " + registry.host() +
                                                      "/skiff/pulled:1\n    imagePullPolicy: Always\n"
                                                      "    command: [cat, /www/index.html]\n");
  ASSERT_TRUE(test::wait_until([&] {
    auto p = pod("pulled");
    return p && p->status().phase() == "Succeeded";
  }, 60s, 100ms)) << ok({"describe", "pod", "pulled"});
  EXPECT_EQ(ok({"logs", "pulled"}), "hello from skiff\n");
}

TEST_F(KubeletRunc, ARestartedSkiffdAdoptsItsContainers) {
  ok({"apply", "-f", "-"}, kWeb);
  ASSERT_TRUE(all_ready("app=web", 3));
  auto before = cleanup->containers();
  ASSERT_EQ(before.size(), 3u);
  node->node().stop();
  node->node().start();
  expect_web_adopted(before);
  EXPECT_EQ(cleanup->sandboxes(), 3u);
}

// SIGKILL for skiffd and its process group: no clean shutdown at all. The monitors, in sessions of their own, keep the
// containers; one that ends while skiffd is away is reported with its real exit code afterwards.
TEST_F(KubeletRunc, AfterKill9ContainersRunOnAndExitCodesOfThoseThatEndedAreReal) {
  ok({"apply", "-f", "-"}, kWeb);
  apply_pod("ender", "  restartPolicy: Never\n", "  - name: app\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
                                                  "    command: [sh, -c, 'while [ ! -f /tmp/go ]; do sleep 0.1; done; exit 7']\n");
  ASSERT_TRUE(all_ready("app=web", 3));
  ASSERT_TRUE(running("ender"));
  auto web = cleanup->containers(sdk::label::kContainerName, "web");
  std::string ender = runtime_id(*pod("ender"));
  // SIGKILL for skiffd's whole process group: the monitors, in sessions of their own, are not in it.
  ::kill(-node->node().pid(), SIGKILL);
  node->node().kill();
  // While skiffd is gone: the ender is told to end, and does.
  EXPECT_EQ(cleanup->runc({"exec", ender, "touch", "/tmp/go"}).exit_code, 0);
  ASSERT_TRUE(test::wait_until([&] { return !cleanup->exit_record(ender).empty(); }, 20s, 50ms));
  node->node().start();
  expect_web_adopted(web);
  ASSERT_TRUE(test::wait_until([&] {
    auto p = pod("ender");
    return p && p->status().phase() == "Failed";
  }, 30s, 100ms)) << ok({"get", "pod", "ender", "-o", "yaml"});
  auto ended = pod("ender");
  const auto& terminated = ended->status().container_statuses(0).state().terminated();
  EXPECT_EQ(terminated.exit_code(), 7);
  EXPECT_EQ(terminated.reason(), "Error");
}

// A node with Docker as its default runtime and runtime-runc beside it, as the profiles load
// them: a pod whose RuntimeClass has `handler: runc` runs on runc, the others on Docker.
class KubeletDockerAndRunc : public KubeletRunc {
 protected:
  std::string plugins() const override {
    return "  - name: scheduler-default\n    config: {leader_elect: false}\n"
           "  - name: runtime-docker\n    config: {network: docker-bridge}\n"
           "  - name: runtime-runc\n    config: {default: false, root: " + cleanup->root() + ", image_archives: [" +
           test::busybox_image_archive() + "]}\n"
           "  - name: kubelet\n    config: {server_address: \"127.0.0.1:0\"}\n";
  }
  void prepare() override {
    KubeletRunc::prepare();
    if (!IsSkipped()) test::import_test_images();
  }
  void TearDown() override {
    KubeletRunc::TearDown();
    auto ids = test::run_command({"/usr/bin/docker", "ps", "-aq", "--filter", std::string("label=") + sdk::label::kNode + "=" + node_name});
    std::vector<std::string> argv = {"/usr/bin/docker", "rm", "-f"};
    for (std::size_t at = 0, nl; (nl = ids.out.find('\n', at)) != std::string::npos; at = nl + 1) argv.push_back(ids.out.substr(at, nl - at));
    if (argv.size() > 3) test::run_command(argv);
  }
};

TEST_F(KubeletDockerAndRunc, APodPicksRuncThroughItsRuntimeClass) {
  ok({"apply", "-f", "-"}, "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: runc-" + node_name +
                               "\nhandler: runc\n");
  const std::string sleeper = "  - name: app\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n    command: [sleep, '3600']\n";
  apply_pod("on-runc", "  runtimeClassName: runc-" + node_name + "\n  terminationGracePeriodSeconds: 0\n", sleeper);
  apply_pod("on-docker", "  terminationGracePeriodSeconds: 0\n", sleeper);
  ASSERT_TRUE(running("on-runc")) << ok({"describe", "pod", "on-runc"});
  ASSERT_TRUE(running("on-docker")) << ok({"describe", "pod", "on-docker"});
  EXPECT_EQ(cleanup->containers(sdk::label::kPodUid, pod("on-runc")->metadata().uid()).size(), 1u);
  EXPECT_TRUE(cleanup->containers(sdk::label::kPodUid, pod("on-docker")->metadata().uid()).empty());
  EXPECT_EQ(runtime_id(*pod("on-runc")), cleanup->containers(sdk::label::kPodUid, pod("on-runc")->metadata().uid())[0]);
  EXPECT_EQ(ok({"exec", "on-runc", "--", "echo", "hi"}), "hi\n");
  EXPECT_EQ(ok({"exec", "on-docker", "--", "echo", "hi"}), "hi\n");
  ok({"delete", "pod", "on-runc", "on-docker", "--wait=true"});
  ok({"delete", "runtimeclass", "runc-" + node_name});
  EXPECT_TRUE(test::wait_until([&] { return cleanup->sandboxes() == 0; }, 30s, 100ms));
}

}  // namespace
