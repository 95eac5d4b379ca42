// Pods as real Docker containers, driven by the real kubectl on a node with the control plane,
// the kubelet and runtime-docker: replicas run, crashed or removed containers come back,
// probes restart and gate readiness, logs, exec, attach and kubectl debug work, scale to 0
// cleans up, and a restarted kubelet adopts what runs. Each test runs its own node name and removes every
// container labelled with it, even when it fails.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>

#include "api_node.hpp"
#include "kubelet_docker_fixture.hpp"
#include "command.hpp"
#include "temp_dir.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/runtime/labels.hpp"
#include "skiff/testing/process.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
using api::core::v1::Pod;
using test::DockerCleanup;
using test::KubeletDocker;
using test::kDocker;
using test::lines_of;

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
          httpGet: {path: /, port: 8080}
          periodSeconds: 1
)";

TEST_F(KubeletDocker, ReplicasRunRemovedContainersAndDeletedPodsComeBackScaleToZeroCleansUp) {
  ok({"apply", "-f", "-"}, kWeb);
  ASSERT_TRUE(all_ready("app=web", 3)) << ok({"get", "pods", "-o", "wide"});
  EXPECT_EQ(cleanup->containers(std::string("label=") + sdk::label::kContainerName + "=web").size(), 3u);
  for (const auto& p : pods("app=web")) {
    EXPECT_EQ(p.spec().node_name(), node_name);
    EXPECT_FALSE(p.status().pod_ip().empty());
  }

  // A container removed behind the kubelet's back is started again, counted as a restart.
  Pod victim = pods("app=web").front();
  std::string id = victim.status().container_statuses(0).container_id().substr(std::string("docker://").size());
  ASSERT_EQ(test::run_command({kDocker, "rm", "-f", id}).exit_code, 0);
  EXPECT_TRUE(test::wait_until([&] {
    auto p = pod(victim.metadata().name());
    return p && restarts(*p) == 1 && ready(*p);
  }, 30s, 100ms)) << ok({"get", "pods"});

  // A deleted pod is replaced, and its containers go.
  Pod gone = pods("app=web").back();
  ok({"delete", "pod", gone.metadata().name(), "--wait=true"});
  ASSERT_TRUE(all_ready("app=web", 3));
  for (const auto& p : pods("app=web")) EXPECT_NE(p.metadata().name(), gone.metadata().name());
  EXPECT_TRUE(test::wait_until([&] {
    return cleanup->containers(std::string("label=") + sdk::label::kPodUid + "=" + gone.metadata().uid()).empty();
  }, 30s, 100ms));

  ok({"scale", "deployment/web", "--replicas=0"});
  EXPECT_TRUE(test::wait_until([&] { return pods("app=web").empty() && cleanup->containers().empty(); }, 60s, 200ms))
      << cleanup->containers().size() << " containers left";
}

TEST_F(KubeletDocker, ACrashingContainerBacksOffLongerEachTimeAndItsPreviousLogsAreKept) {
  apply_pod("crash", "  - name: crash\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
                     "    command: [sh, -c, 'echo boom; exit 3']\n");
  // Back-off starts at 1s (this node's restart_backoff) and doubles: the waits seen grow.
  std::set<std::string> backoffs;
  bool grew = test::wait_until([&] {
    auto p = pod("crash");
    if (!p || !p->status().container_statuses_size()) return false;
    const auto& cs = p->status().container_statuses(0);
    if (cs.state().waiting().reason() == "CrashLoopBackOff") backoffs.insert(cs.state().waiting().message().substr(0, 10));
    return cs.restart_count() >= 3 && backoffs.size() >= 2;
  }, 60s, 50ms);
  ASSERT_TRUE(grew) << ok({"get", "pod", "crash", "-o", "yaml"});
  EXPECT_TRUE(backoffs.count("back-off 1") && backoffs.count("back-off 2")) << *backoffs.begin();
  auto p = pod("crash");
  EXPECT_EQ(p->status().container_statuses(0).last_state().terminated().exit_code(), 3);
  EXPECT_EQ(p->status().container_statuses(0).last_state().terminated().reason(), "Error");
  // Between two back-offs the container runs (or has just exited): the table says
  // CrashLoopBackOff while it waits, which is most of the time.
  std::string table;
  auto shows_backoff = [&] { return (table = ok({"get", "pod", "crash"})).find("CrashLoopBackOff") != std::string::npos; };
  EXPECT_TRUE(test::wait_until(shows_backoff, 20s, 200ms)) << table;
  EXPECT_EQ(ok({"logs", "crash", "--previous"}), "boom\n");
}

TEST_F(KubeletDocker, DeletionRunsPreStopThenSigtermAndSigkillsWhatOutlivesTheGrace) {
  // What the containers did is written to a directory of the test's, mounted as hostPath.
  test::TempDir host;
  auto pod_with = [&](const std::string& name, const std::string& command) {
    ok({"apply", "-f", "-"},
       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n  terminationGracePeriodSeconds: 2\n"
       "  volumes: [{name: out, hostPath: {path: " + host.path() + "}}]\n"
       "  containers:\n  - name: app\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
       "    volumeMounts: [{name: out, mountPath: /out}]\n"
       "    command: [sh, -c, '" + command + "']\n"
       "    lifecycle: {preStop: {exec: {command: [sh, -c, 'touch /out/" + name + "-prestop']}}}\n");
  };
  // One that leaves on SIGTERM, one that ignores it (and must be killed when the grace ends).
  pod_with("polite", "trap \"touch /out/polite-sigterm; exit 0\" TERM; while true; do sleep 0.1; done");
  pod_with("stubborn", "trap \"\" TERM; while true; do sleep 0.1; done");
  for (const char* name : {"polite", "stubborn"})
    ASSERT_TRUE(test::wait_until([&] {
      auto p = pod(name);
      return p && p->status().phase() == "Running";
    }, 60s, 100ms)) << name;

  ok({"delete", "pod", "polite", "stubborn", "--wait=true"});
  EXPECT_FALSE(pod("polite") || pod("stubborn"));
  EXPECT_TRUE(std::filesystem::exists(host.file("polite-prestop")));
  EXPECT_TRUE(std::filesystem::exists(host.file("polite-sigterm")));
  EXPECT_TRUE(std::filesystem::exists(host.file("stubborn-prestop")));
  EXPECT_TRUE(test::wait_until([&] { return cleanup->containers().empty(); }, 30s, 100ms));
}

TEST_F(KubeletDocker, AStartupProbeHoldsReadinessUntilItPasses) {
  apply_pod("slowstart", R"(  - name: app
    image: skiff/busybox:1
    imagePullPolicy: IfNotPresent
    command: [sleep, '3600']
    startupProbe:
      exec: {command: [test, -f, /tmp/started]}
      periodSeconds: 1
      failureThreshold: 60
)");
  ASSERT_TRUE(test::wait_until([&] {
    auto p = pod("slowstart");
    return p && p->status().container_statuses_size() && p->status().container_statuses(0).state().has_running();
  }, 60s, 100ms));
  auto p = pod("slowstart");
  EXPECT_FALSE(p->status().container_statuses(0).started());
  EXPECT_FALSE(ready(*p));
  ok({"exec", "slowstart", "--", "touch", "/tmp/started"});
  EXPECT_TRUE(test::wait_until([&] {
    auto now = pod("slowstart");
    return now->status().container_statuses(0).started() && ready(*now);
  }, 20s, 100ms)) << ok({"get", "pod", "slowstart", "-o", "yaml"});
  EXPECT_EQ(restarts(*pod("slowstart")), 0);
}

TEST_F(KubeletDocker, AnImageThatCannotBePulledIsErrImagePullThenImagePullBackOff) {
  // A registry on a closed loopback port: the pull fails at once, nothing leaves the machine.
  apply_pod("unpullable", "  - name: app\n    image: 127.0.0.1:1/skiff-missing:1\n    imagePullPolicy: Always\n");
  std::set<std::string> reasons;
  EXPECT_TRUE(test::wait_until([&] {
    auto p = pod("unpullable");
    if (p && p->status().container_statuses_size()) {
      const auto& waiting = p->status().container_statuses(0).state().waiting();
      if (!waiting.reason().empty()) reasons.insert(waiting.reason());
      if (waiting.reason() == "ErrImagePull") EXPECT_NE(waiting.message().find("127.0.0.1:1/skiff-missing:1"), std::string::npos);
    }
    return reasons.count("ImagePullBackOff") > 0;
  }, 60s, 50ms)) << ok({"describe", "pod", "unpullable"});
  EXPECT_EQ(pod("unpullable")->status().phase(), "Pending");
  EXPECT_NE(ok({"describe", "pod", "unpullable"}).find("127.0.0.1:1/skiff-missing:1"), std::string::npos);
}

TEST_F(KubeletDocker, AFailingLivenessProbeRestartsAndReadinessGatesReady) {
  apply_pod("probed", R"(  - name: app
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

TEST_F(KubeletDocker, LogsFollowAndExecGoThroughTheApi) {
  apply_pod("ticker", "  - name: ticker\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
                      "    command: [sh, -c, 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done']\n");
  ASSERT_TRUE(test::wait_until([&] {
    auto p = pod("ticker");
    return p && p->status().phase() == "Running";
  }, 60s, 100ms));

  // Follow: lines keep arriving until kubectl is stopped.
  auto followed = kubectl({"logs", "-f", "ticker"}, "", 3s);
  EXPECT_EQ(followed.exit_code, -1) << "logs -f ended by itself: " << followed.both();
  EXPECT_NE(followed.out.find("tick 0\n"), std::string::npos) << followed.out;
  EXPECT_NE(followed.out.find("tick 5\n"), std::string::npos) << followed.out;
  EXPECT_EQ(lines_of(ok({"logs", "ticker", "--tail=2"})).size(), 2u);

  auto out = kubectl({"exec", "ticker", "--", "sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(out.exit_code, 3) << out.both();
  EXPECT_EQ(out.out, "out\n");
  EXPECT_NE(out.err.find("err\n"), std::string::npos) << out.err;
  EXPECT_EQ(ok({"exec", "-i", "ticker", "--", "tr", "a-z", "A-Z"}, "hello\n"), "HELLO\n");

  auto missing = kubectl({"exec", "ticker", "--", "/no/such/binary"});
  EXPECT_NE(missing.exit_code, 0);

  // The official Python client: WebSocket with v4.channel.k8s.io, booleans sent as "True".
  auto python = test::run_command(
      {"/usr/bin/python3", "-c",
       "import sys\nfrom kubernetes import client, config\nfrom kubernetes.stream import stream\n"
       "config.load_kube_config(sys.argv[1])\nv1 = client.CoreV1Api()\n"
       "print(stream(v1.connect_get_namespaced_pod_exec, 'ticker', 'default', command=['echo', 'from-python'],"
       " stderr=True, stdin=False, stdout=True, tty=False), end='')\n"
       "print(len(v1.read_namespaced_pod_log('ticker', 'default', tail_lines=3).splitlines()))\n",
       node->kubeconfig()});
  EXPECT_EQ(python.out, "from-python\n3\n") << python.both();

  // Older kubectls speak SPDY/3.1 (1.20, 1.27) instead of WebSocket: the same answers.
  for (const std::string& binary : {std::string(SKIFF_TEST_KUBECTL_120), std::string("/usr/lib/google-cloud-sdk/bin/kubectl.1.27")}) {
    if (!std::filesystem::exists(binary)) {
      EXPECT_EQ(binary.find("1.20"), std::string::npos) << binary << " is missing; `make test` unpacks it";
      continue;
    }
    auto old = node->kubectl(binary, {"exec", "ticker", "--", "sh", "-c", "echo out; echo err >&2; exit 3"});
    EXPECT_EQ(old.exit_code, 3) << binary << ": " << old.both();
    EXPECT_EQ(old.out, "out\n") << binary;
    auto piped = node->kubectl(binary, {"exec", "-i", "ticker", "--", "tr", "a-z", "A-Z"}, "hello\n");
    EXPECT_EQ(piped.out, "HELLO\n") << binary << ": " << piped.both();
    auto tail = node->kubectl(binary, {"logs", "ticker", "--tail=1"});
    EXPECT_EQ(lines_of(tail.out).size(), 1u) << binary << ": " << tail.both();
  }
}

// `kubectl port-forward` left running in the background, its output in a file.
class PortForward {
 public:
  PortForward(const std::string& binary, const std::string& kubeconfig, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {binary, "--cache-dir", home_.path(), "port-forward"};
    argv.insert(argv.end(), args.begin(), args.end());
    // kubectl's own switch for the WebSocket tunnel (on by default since 1.31), set so the run
    // does not depend on this process's environment; older kubectls ignore it.
    process_ = std::make_unique<test::ChildProcess>(test::SpawnSpec{
        argv, {"KUBECONFIG=" + kubeconfig, "HOME=" + home_.path(), "KUBECTL_PORT_FORWARD_WEBSOCKETS=true"}, "", home_.file("out"), ""});
  }
  ~PortForward() { process_->kill(); }
  std::string output() const { return test::read_file(home_.file("out")); }
  bool shows(const std::string& text, std::chrono::milliseconds timeout = 30s) const {
    return test::wait_until([&] { return output().find(text) != std::string::npos; }, timeout, 50ms);
  }

 private:
  test::TempDir home_;
  std::unique_ptr<test::ChildProcess> process_;
};

std::string curl(int port) {
  return test::run_command({"/usr/bin/curl", "-sS", "--max-time", "20", "http://127.0.0.1:" + std::to_string(port) + "/"}).both();
}

// Port-forward sessions the apiserver has served over `protocol` (its metric's label).
double apiserver_metric(test::ApiNode& node, const std::string& series) {
  sdk::Reply reply = node.node().bus().request(node.node().subjects().plugin_metrics("apiserver"), "", 5s);
  EXPECT_TRUE(reply.ok()) << reply.status.message;
  for (const auto& line : lines_of(reply.data))  // "<series> <value>"; HELP and TYPE lines start with '#'
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return 0;
}
double port_forwards(test::ApiNode& node, const std::string& protocol) {
  return apiserver_metric(node, "skiff_apiserver_port_forwards_total{protocol=\"" + protocol + "\"}");
}
double port_forwards_open(test::ApiNode& node) { return apiserver_metric(node, "skiff_apiserver_port_forwards_open"); }

// kubectl forwards two ports of pod/fwd (two connections on one), then a port nothing listens on.
void forward_two_ports_and_a_refused_one(const std::string& binary, test::ApiNode& node) {
  int first = test::free_port(), second = test::free_port();
  PortForward forward(binary, node.kubeconfig(), {"pod/fwd", std::to_string(first) + ":8080", std::to_string(second) + ":8081"});
  ASSERT_TRUE(forward.shows("Forwarding from 127.0.0.1:" + std::to_string(second))) << binary << ": " << forward.output();
  EXPECT_EQ(curl(first), "port-8080\n") << binary << ": " << forward.output();
  EXPECT_EQ(curl(second), "port-8081\n") << binary << ": " << forward.output();
  EXPECT_EQ(curl(first), "port-8080\n") << binary << ": a second connection on one port";

  // Nothing listens on 9999 in the pod: kubectl reports Kubernetes' error.
  int closed = test::free_port();
  PortForward refused(binary, node.kubeconfig(), {"pod/fwd", std::to_string(closed) + ":9999"});
  ASSERT_TRUE(refused.shows("Forwarding from 127.0.0.1:" + std::to_string(closed))) << binary << ": " << refused.output();
  curl(closed);
  EXPECT_TRUE(refused.shows("connection refused")) << binary << ": " << refused.output();
}

TEST_F(KubeletDocker, PortForwardCarriesTcpToSeveralPortsOfThePodForEveryKubectl) {
  apply_pod("fwd", "  - name: web\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
                   "    command: [sh, -c, 'mkdir -p /a /b && echo port-8080 > /a/index.html && echo port-8081 > /b/index.html"
                   " && httpd -p 8080 -h /a && exec httpd -f -p 8081 -h /b']\n");
  ASSERT_TRUE(test::wait_until([&] {
    auto p = pod("fwd");
    return p && p->status().phase() == "Running";
  }, 60s, 100ms));
  // The machine's kubectl (1.31 or later) tunnels SPDY in a WebSocket; 1.20 and 1.27 speak SPDY.
  for (const std::string& binary : {std::string("/usr/bin/kubectl"), std::string(SKIFF_TEST_KUBECTL_120),
                                    std::string("/usr/lib/google-cloud-sdk/bin/kubectl.1.27")}) {
    if (!std::filesystem::exists(binary)) {
      EXPECT_EQ(binary.find("1.20"), std::string::npos) << binary << " is missing; `make test` unpacks it";
      continue;
    }
    bool tunnels = binary == "/usr/bin/kubectl";
    double tunnelled_before = port_forwards(*node, "websocket-tunnel"), spdy_before = port_forwards(*node, "spdy");
    forward_two_ports_and_a_refused_one(binary, *node);
    // Both kubectls are gone: their sessions have ended on the server.
    EXPECT_TRUE(test::wait_until([&] { return port_forwards_open(*node) == 0; }, 20s, 50ms)) << binary;

    // Both sessions (one per kubectl run) came over the expected protocol: none fell back to SPDY.
    EXPECT_EQ(port_forwards(*node, "websocket-tunnel") - tunnelled_before, tunnels ? 2 : 0) << binary;
    EXPECT_EQ(port_forwards(*node, "spdy") - spdy_before, tunnels ? 0 : 2) << binary;
  }
}

// The official Python client speaks the kubelet's WebSocket channels (v4.channel.k8s.io): both
// ports in one session, the refused one answered on its error channel.
TEST_F(KubeletDocker, PortForwardOverWebSocketChannelsServesThePythonClient) {
  apply_pod("fwd", "  - name: web\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
                   "    command: [sh, -c, 'mkdir -p /a && echo port-8080 > /a/index.html && exec httpd -f -p 8080 -h /a']\n");
  ASSERT_TRUE(test::wait_until([&] {
    auto p = pod("fwd");
    return p && p->status().phase() == "Running";
  }, 60s, 100ms));
  auto python = test::run_command(
      {"/usr/bin/python3", "-c",
       "import sys\nfrom kubernetes import client, config\nfrom kubernetes.stream import portforward\n"
       "config.load_kube_config(sys.argv[1])\n"
       "pf = portforward(client.CoreV1Api().connect_get_namespaced_pod_portforward, 'fwd', 'default', ports='8080,9999')\n"
       "web = pf.socket(8080)\nweb.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\nanswer = b''\n"
       "while True:\n  part = web.recv(4096)\n  if not part: break\n  answer += part\n"
       "print(answer.decode().split('\\r\\n\\r\\n', 1)[1], end='')\nprint(pf.error(9999))\n",
       node->kubeconfig()},
      {}, 60s);
  ASSERT_EQ(python.exit_code, 0) << python.both();
  EXPECT_EQ(python.out.substr(0, 10), "port-8080\n") << python.both();
  EXPECT_NE(python.out.find("error forwarding port 9999 to pod default/fwd"), std::string::npos) << python.both();
  EXPECT_NE(python.out.find("connection refused"), std::string::npos) << python.both();
  EXPECT_EQ(port_forwards(*node, "websocket"), 1);
  EXPECT_TRUE(test::wait_until([&] { return port_forwards_open(*node) == 0; }, 20s, 50ms));
}

TEST_F(KubeletDocker, AttachReachesTheContainersStdinAndRunItRemovesThePod) {
  // The SPDY kubectls first: each attach closes the container's stdin for good (stdinOnce).
  std::vector<std::string> binaries = {SKIFF_TEST_KUBECTL_120, "/usr/lib/google-cloud-sdk/bin/kubectl.1.27", "/usr/bin/kubectl"};
  for (std::size_t i = 0; i < binaries.size(); ++i) {
    const std::string& binary = binaries[i];
    if (!std::filesystem::exists(binary)) {
      EXPECT_EQ(binary.find("1.20"), std::string::npos) << binary << " is missing; `make test` unpacks it";
      continue;
    }
    std::string name = "reader" + std::to_string(i);
    ok({"apply", "-f", "-"}, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name +
                                 "\nspec:\n  restartPolicy: Never\n  containers:\n  - name: reader\n"
                                 "    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
                                 "    stdin: true\n    stdinOnce: true\n"
                                 "    command: [sh, -c, 'while read line; do echo got:$line; done']\n");
    ASSERT_TRUE(test::wait_until([&] {
      auto p = pod(name);
      return p && p->status().phase() == "Running";
    }, 60s, 100ms));
    auto attached = node->kubectl(binary, {"attach", "-i", name}, "hello\n");
    EXPECT_EQ(attached.exit_code, 0) << binary << ": " << attached.both();
    EXPECT_NE(attached.out.find("got:hello"), std::string::npos) << binary << ": " << attached.both();
  }

  auto run = kubectl({"run", "once", "--image=skiff/busybox:1", "--image-pull-policy=IfNotPresent", "--restart=Never", "-i",
                      "--rm", "--", "sh", "-c", "read line; echo ran:$line"},
                     "there\n");
  EXPECT_EQ(run.exit_code, 0) << run.both();
  EXPECT_NE(run.out.find("ran:there"), std::string::npos) << run.both();
  EXPECT_TRUE(test::wait_until([&] { return !pod("once"); }, 60s, 100ms)) << "--rm deletes the pod";
}

// kubectl debug (kubelet_debug_scenarios.hpp): ephemeral containers, once and on a terminal.
TEST_F(KubeletDocker, DebugAddsEphemeralContainersThatSeeTheTargetsProcesses) {
  ASSERT_NO_FATAL_FAILURE(run_debugged_pod());
  ASSERT_NO_FATAL_FAILURE(debug_runs_once_in_the_targets_pid_namespace());
  debug_gives_a_terminal_that_follows_resizes();
}

TEST_F(KubeletDocker, DebugCopiesAPodSharingItsProcesses) {
  ASSERT_NO_FATAL_FAILURE(run_debugged_pod());
  debug_copy_to_shares_the_copys_processes();
}

TEST_F(KubeletDocker, DebugNodeRunsInTheNodesNamespaces) { debug_node_runs_in_the_nodes_namespaces(); }

TEST_F(KubeletDocker, ARestartedKubeletAdoptsItsContainersAndRemovesStrangers) {
  ok({"apply", "-f", "-"}, kWeb);
  ASSERT_TRUE(all_ready("app=web", 3));
  auto before = cleanup->containers();
  ASSERT_EQ(before.size(), 6u);  // 3 sandboxes + 3 app containers

  node->node().stop();
  // A container labelled as this node's but of no pod: the kubelet removes it when it comes back.
  auto stranger = test::run_command({kDocker, "create", "--label", std::string(sdk::label::kNode) + "=" + node_name, "--label",
                                     std::string(sdk::label::kKind) + "=" + sdk::label::kKindContainer, "--label",
                                     std::string(sdk::label::kPodUid) + "=no-such-pod", "--label",
                                     std::string(sdk::label::kContainerName) + "=x", "skiff/busybox:1", "sleep", "60"});
  ASSERT_EQ(stranger.exit_code, 0) << stranger.both();
  node->node().start();

  ASSERT_TRUE(all_ready("app=web", 3)) << ok({"get", "pods", "-o", "yaml"});
  EXPECT_TRUE(test::wait_until([&] {
    auto now = cleanup->containers();
    return std::set<std::string>(now.begin(), now.end()) == std::set<std::string>(before.begin(), before.end());
  }, 30s, 100ms)) << "the same containers as before, the stranger gone";
  for (const auto& p : pods("app=web")) EXPECT_EQ(restarts(p), 0);
}

// The processes whose mount table mentions `name` (a unique directory name): a container's
// bind mount shows its source there, in the container's own namespace.
std::string mounts_mentioning(const std::string& name) {
  return test::run_command({"sh", "-c", "grep -l -F '" + name + "' /proc/[0-9]*/mountinfo 2>/dev/null"}).out;
}

// A claim's volume (whole and through subPath) is mounted only in the pod's containers: once
// the pod is deleted no process mounts it and the pod's directory is gone, the data stays. A
// kubelet restarted after a pod went removes the directory it left, unmounting what is mounted
// inside first, so the mounted data survives.
TEST_F(KubeletDocker, ClaimVolumesGoWithTheirPodAndARestartCleansUpAfterGonePods) {
  test::TempDir volume;
  std::string unique = std::filesystem::path(volume.path()).filename().string();
  ok({"apply", "-f", "-"},
     "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: claimed}\nspec:\n"
     "  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  storageClassName: manual\n"
     "  persistentVolumeReclaimPolicy: Retain\n  local: {path: " + volume.path() + "}\n"
     "  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, "
     "values: [" + node_name + "]}]}]}}\n---\n"
     "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n"
     "  storageClassName: manual\n  volumeName: claimed\n  resources: {requests: {storage: 1Gi}}\n---\n"
     "apiVersion: v1\nkind: Pod\nmetadata: {name: claimer}\nspec:\n  terminationGracePeriodSeconds: 0\n"
     "  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]\n"
     "  containers:\n  - name: main\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
     "    command: [sh, -c, 'echo kept > /nested/file && exec sleep 3600']\n"
     "    volumeMounts: [{name: data, mountPath: /data}, {name: data, mountPath: /nested, subPath: a/b}]\n");
  ASSERT_TRUE(test::wait_until([&] {
    auto p = pod("claimer");
    return p && p->status().phase() == "Running";
  }, 60s, 100ms)) << ok({"describe", "pod", "claimer"});
  std::string uid = pod("claimer")->metadata().uid();
  std::string pods_dir = node->node().dir().file("data") + "/plugins/kubelet/pods";  // the kubelet's data dir
  ASSERT_TRUE(test::wait_until([&] { return std::filesystem::exists(volume.path() + "/a/b/file"); }, 10s));
  EXPECT_NE(mounts_mentioning(unique), "") << "the container mounts the volume (the check sees container mounts)";
  EXPECT_TRUE(std::filesystem::exists(pods_dir + "/" + uid));

  ok({"delete", "pod", "claimer", "--wait=true"});
  EXPECT_TRUE(test::wait_until([&] { return mounts_mentioning(unique).empty(); }, 30s, 100ms))
      << "still mounted by: " << mounts_mentioning(unique);
  EXPECT_TRUE(test::wait_until([&] { return !std::filesystem::exists(pods_dir + "/" + uid); }, 30s, 100ms));
  EXPECT_TRUE(test::wait_until([&] {
    return cleanup->containers("label=" + std::string(sdk::label::kPodUid) + "=" + uid).empty();
  }, 30s, 100ms));
  std::ifstream kept(volume.path() + "/a/b/file");
  std::string line;
  std::getline(kept, line);
  EXPECT_EQ(line, "kept") << "the volume's data outlives the pod";

  // A pod deleted while the kubelet was down left its directory, with something mounted in it.
  node->node().stop();
  test::TempDir mounted;
  std::ofstream(mounted.file("precious")) << "data\n";
  std::string orphan = pods_dir + "/00000000-0000-0000-0000-0000000000aa/volumes/data";
  std::filesystem::create_directories(orphan);
  auto bind = test::run_command({"mount", "--bind", mounted.path(), orphan});
  ASSERT_EQ(bind.exit_code, 0) << bind.both();
  node->node().start();
  bool removed = test::wait_until([&] { return !std::filesystem::exists(pods_dir + "/00000000-0000-0000-0000-0000000000aa"); },
                                  30s, 100ms);
  if (!removed) test::run_command({"umount", orphan});
  EXPECT_TRUE(removed) << "the directory of a pod that is gone";
  EXPECT_TRUE(mounts_mentioning(orphan).empty()) << "unmounted with it";
  EXPECT_TRUE(std::filesystem::exists(mounted.file("precious"))) << "never removed through the mount";
  ok({"delete", "pvc", "data"});
  ok({"delete", "pv", "claimed"});
}

// A node whose kubelet copies a resolv.conf of the test's (not the machine's): what each
// dnsPolicy puts in a container's /etc/resolv.conf, read back with `kubectl exec cat` —
// nothing here resolves a name.
class KubeletDockerDns : public KubeletDocker {
 protected:
  KubeletDockerDns() {
    std::ofstream(node_dir.file("resolv.conf")) << "# the node's\nnameserver 192.0.2.53\nsearch corp.example\n"
                                                   "options timeout:2\n";
  }
  std::string plugins() const override {
    return "  - name: scheduler-default\n    config: {leader_elect: false}\n"
           "  - name: runtime-docker\n    config: {network: docker-bridge}\n"
           "  - name: kubelet\n    config: {resolv_conf: " + node_dir.file("resolv.conf") + ", server_address: \"127.0.0.1:0\"}\n";
  }
  // A pod of `containers` sleeping busyboxes (c0, c1 …) with these spec lines, running.
  void run_pod(const std::string& name, const std::string& spec_lines, int containers = 1) {
    std::string yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name +
                       "\nspec:\n  terminationGracePeriodSeconds: 0\n" + spec_lines + "  containers:\n";
    for (int i = 0; i < containers; ++i)
      yaml += "  - name: c" + std::to_string(i) +
              "\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n    command: [sleep, '3600']\n";
    ok({"apply", "-f", "-"}, yaml);
    ASSERT_TRUE(test::wait_until([&] {
      auto p = pod(name);
      return p && p->status().phase() == "Running";
    }, 60s, 100ms)) << ok({"describe", "pod", name});
  }
  std::string resolv_conf_in(const std::string& pod_name, const std::string& container = "c0") {
    return ok({"exec", pod_name, "-c", container, "--", "cat", "/etc/resolv.conf"});
  }

  test::TempDir node_dir;
};

TEST_F(KubeletDockerDns, EachContainerSeesThePodsResolvConfAsKubernetesWritesIt) {
  run_pod("cluster-first", "", 2);
  const std::string cluster_first =
      "search default.svc.cluster.local svc.cluster.local cluster.local corp.example\n"
      "nameserver 10.96.0.10\n"
      "options ndots:5\n";
  EXPECT_EQ(resolv_conf_in("cluster-first", "c0"), cluster_first);
  EXPECT_EQ(resolv_conf_in("cluster-first", "c1"), cluster_first) << "every container of the pod";
  // The kubelet's file, bind-mounted: not Docker's (which would look the same here).
  auto first = *pod("cluster-first");
  std::string id = first.status().container_statuses(0).container_id().substr(std::string("docker://").size());
  auto mounts = test::run_command({kDocker, "inspect", "-f", "{{range .Mounts}}{{.Destination}}={{.Source}} {{end}}", id});
  EXPECT_NE(mounts.out.find("/etc/resolv.conf=" + node->node().dir().path()), std::string::npos) << mounts.both();
  EXPECT_NE(mounts.out.find("/pods/" + first.metadata().uid() + "/resolv.conf"), std::string::npos) << mounts.both();

  const std::string node_copy = "search corp.example\nnameserver 192.0.2.53\noptions timeout:2\n";
  run_pod("default-policy", "  dnsPolicy: Default\n");
  EXPECT_EQ(resolv_conf_in("default-policy"), node_copy);
  run_pod("host-network", "  hostNetwork: true\n");
  EXPECT_EQ(resolv_conf_in("host-network"), node_copy) << "ClusterFirst on the host network is Default";
  run_pod("host-network-cluster", "  hostNetwork: true\n  dnsPolicy: ClusterFirstWithHostNet\n");
  EXPECT_EQ(resolv_conf_in("host-network-cluster"), cluster_first);

  run_pod("custom", "  dnsPolicy: None\n  dnsConfig:\n    nameservers: [192.0.2.1]\n"
                    "    searches: [ns1.svc.cluster-domain.example, my.dns.search.suffix]\n"
                    "    options: [{name: ndots, value: '2'}, {name: edns0}]\n");
  EXPECT_EQ(resolv_conf_in("custom"),
            "search ns1.svc.cluster-domain.example my.dns.search.suffix\nnameserver 192.0.2.1\noptions ndots:2 edns0\n");

  // The apiserver refuses what the kubelet could not write.
  auto refused = kubectl({"apply", "-f", "-"}, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: no-servers\nspec:\n"
                                               "  dnsPolicy: None\n  containers:\n  - name: c0\n    image: skiff/busybox:1\n");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"),
            std::string::npos)
      << refused.both();

  ok({"delete", "pod", "cluster-first", "default-policy", "host-network", "host-network-cluster", "custom", "--wait=true"});
  EXPECT_TRUE(test::wait_until([&] { return cleanup->containers().empty(); }, 30s, 100ms));
}

// A node with two runtimes: Docker as the default, runtime-sim behind the handler "sim".
class KubeletTwoRuntimes : public KubeletDocker {
 protected:
  std::string plugins() const override {
    return "  - name: scheduler-default\n    config: {leader_elect: false}\n"
           "  - name: runtime-docker\n    config: {network: docker-bridge}\n"
           "  - name: runtime-sim\n    config: {handler: sim, default: false}\n"
           "  - name: kubelet\n    config: {server_address: \"127.0.0.1:0\"}\n";
  }
};

TEST_F(KubeletTwoRuntimes, APodPicksItsRuntimeThroughItsRuntimeClass) {
  ok({"apply", "-f", "-"}, "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: hollow\nhandler: sim\n");
  EXPECT_NE(ok({"get", "runtimeclass"}).find("hollow   sim"), std::string::npos) << ok({"get", "runtimeclass"});
  const char* container = "  - name: app\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n    command: [sleep, '3600']\n";
  ok({"apply", "-f", "-"}, std::string("apiVersion: v1\nkind: Pod\nmetadata:\n  name: simulated\nspec:\n  runtimeClassName: hollow\n"
                                       "  containers:\n") + container);
  apply_pod("real", container);
  auto running = [&](const std::string& name) {
    return test::wait_until([&] {
      auto p = pod(name);
      return p && p->status().phase() == "Running";
    }, 60s, 100ms);
  };
  ASSERT_TRUE(running("simulated")) << ok({"describe", "pod", "simulated"});
  ASSERT_TRUE(running("real"));
  // The simulated pod has runtime-sim's address and no Docker container; the other is Docker's.
  EXPECT_EQ(pod("simulated")->status().pod_ip().rfind("10.", 0), 0u) << pod("simulated")->status().pod_ip();
  EXPECT_TRUE(cleanup->containers(std::string("label=") + sdk::label::kPodUid + "=" + pod("simulated")->metadata().uid()).empty());
  EXPECT_EQ(cleanup->containers(std::string("label=") + sdk::label::kPodUid + "=" + pod("real")->metadata().uid()).size(), 2u);
  EXPECT_NE(ok({"logs", "simulated"}).find("started"), std::string::npos);  // runtime-sim's synthetic log

  // A RuntimeClass that does not exist: the pod waits, and says why.
  ok({"apply", "-f", "-"}, std::string("apiVersion: v1\nkind: Pod\nmetadata:\n  name: lost\nspec:\n  runtimeClassName: nope\n"
                                       "  containers:\n") + container);
  EXPECT_TRUE(test::wait_until([&] {
    return ok({"describe", "pod", "lost"}).find("RuntimeClass \"nope\" not found") != std::string::npos;
  }, 30s, 200ms)) << ok({"describe", "pod", "lost"});
  EXPECT_EQ(pod("lost")->status().phase(), "Pending");

  ok({"delete", "pod", "simulated", "real", "lost", "--wait=true"});
  EXPECT_TRUE(test::wait_until([&] { return cleanup->containers().empty(); }, 30s, 100ms));
}

TEST(KubeletRuntimes, TwoDefaultRuntimesOnOneNodeAreRefusedWithOneMessage) {
  test::NatsServer nats;
  test::PluginNode node(nats, "  - name: runtime-docker\n    config: {network: docker-bridge}\n  - name: runtime-sim\n",
                        test::unique_node_name("e2e"));
  try {
    node.start();
    FAIL() << "two default runtimes started";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("is already its default runtime; set `default: false` on one of them"),
              std::string::npos)
        << e.what();
  }
}

TEST(KubeletRuntimes, AHandlerThatIsNoValidNameIsRefusedWithOneMessage) {
  test::NatsServer nats;
  test::PluginNode node(nats, "  - name: runtime-sim\n    config: {handler: Bad.Name}\n", test::unique_node_name("e2e"));
  try {
    node.start();
    FAIL() << "a runtime with handler Bad.Name started";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("config handler: \"Bad.Name\" is not a valid handler name"), std::string::npos)
        << e.what();
  }
}

}  // namespace
