// kubectl debug end to end, whatever the runtime (each kubelet suite runs these on its own):
// an ephemeral container in a running pod's target's PID namespace, once and on a terminal
// that follows resizes; a copy of the pod sharing its processes; a pod in the node's
// namespaces with its filesystem at /host.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "kubelet_node_fixture.hpp"
#include "temp_dir.hpp"
#include "terminal_session.hpp"

namespace skiff::test {

template <class Cleanup>
class KubeletDebugScenarios : public KubeletNodeTest<Cleanup> {
 protected:
  using Pod = api::core::v1::Pod;
  using Status = api::core::v1::ContainerStatus;

  // A pod "debugged" whose container "app" runs `sleep 3602`, running.
  void run_debugged_pod() {
    this->ok({"apply", "-f", "-"}, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debugged\nspec:\n  containers:\n"
                                   "  - name: app\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
                                   "    command: [sleep, '3602']\n");
    ASSERT_TRUE(running("debugged")) << this->ok({"get", "pods", "-o", "wide"});
  }

  // kubectl debug without -i: ps runs once in the target's PID namespace; its output is its log.
  void debug_runs_once_in_the_targets_pid_namespace() {
    auto debug = this->kubectl({"debug", "debugged", "--image=skiff/busybox:1", "--image-pull-policy=IfNotPresent",
                                "--target=app", "-c", "ps-once", "--", "ps"});
    ASSERT_EQ(debug.exit_code, 0) << debug.both();
    std::optional<Pod> p;
    ASSERT_TRUE(wait_until([&] {
      p = this->pod("debugged");
      const Status* cs = p ? ephemeral_status(*p, "ps-once") : nullptr;
      return cs && cs->state().has_terminated();
    }, 60s, 100ms)) << (p ? p->status().DebugString() : "no pod");
    const Status* done = ephemeral_status(*p, "ps-once");
    EXPECT_EQ(done->state().terminated().exit_code(), 0);
    EXPECT_FALSE(done->container_id().empty());
    EXPECT_EQ(p->spec().ephemeral_containers(0).target_container_name(), "app");
    auto logs = this->ok({"logs", "debugged", "-c", "ps-once"});
    EXPECT_NE(logs.find("sleep 3602"), std::string::npos) << "ps in the debugger does not see the target:\n" << logs;
    EXPECT_EQ(p->status().phase(), "Running");
    EXPECT_EQ(p->status().container_statuses(0).restart_count(), 0) << "the target is left alone";
  }

  // kubectl debug -it on a terminal: a shell that sees the target's processes, whose terminal
  // has the caller's size and follows it when the window changes; gone for good once it exits.
  void debug_gives_a_terminal_that_follows_resizes() {
    TerminalSession shell(kubectl_argv({"debug", "-it", "debugged", "--image=skiff/busybox:1",
                                        "--image-pull-policy=IfNotPresent", "--target=app", "-c", "shell", "--", "sh"}),
                          kubectl_env(), 100, 30);
    ASSERT_TRUE(shell.shows("If you don't see a command prompt")) << shell.output();
    // Typed again until answered: the first keys may arrive before the terminal has its size.
    EXPECT_TRUE(answers(shell, "ps; stty size\r", "30 100")) << shell.output();
    EXPECT_NE(shell.output().find("sleep 3602"), std::string::npos) << "the target's processes:\n" << shell.output();
    shell.resize(123, 45);
    EXPECT_TRUE(answers(shell, "stty size\r", "45 123")) << "after the window grew:\n" << shell.output();
    shell.type("exit\r");
    EXPECT_EQ(shell.wait(30s), 0) << shell.output();
    std::optional<Pod> p;
    ASSERT_TRUE(wait_until([&] {
      p = this->pod("debugged");
      const Status* cs = p ? ephemeral_status(*p, "shell") : nullptr;
      return cs && cs->state().has_terminated();
    }, 60s, 100ms)) << (p ? p->status().DebugString() : "no pod");
    EXPECT_EQ(ephemeral_status(*p, "shell")->restart_count(), 0) << "ephemeral containers never come back";
    EXPECT_EQ(p->spec().ephemeral_containers_size(), 2);
  }

  // kubectl debug --copy-to --share-processes: a new pod with the debugger added, sharing one
  // PID namespace (kubectl changes the copy's only when the flag is given), the original left as it was.
  void debug_copy_to_shares_the_copys_processes() {
    auto copy = this->kubectl({"debug", "debugged", "--copy-to=debugged-copy", "--share-processes", "--image=skiff/busybox:1",
                               "--image-pull-policy=IfNotPresent", "-c", "copied", "--", "sleep", "3603"});
    ASSERT_EQ(copy.exit_code, 0) << copy.both();
    ASSERT_TRUE(running("debugged-copy")) << this->ok({"get", "pods", "-o", "wide"});
    auto p = this->pod("debugged-copy");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->spec().share_process_namespace());
    ASSERT_EQ(p->spec().containers_size(), 2);
    EXPECT_EQ(p->spec().containers(1).name(), "copied");
    std::string ps;
    EXPECT_TRUE(wait_until([&] {
      ps = this->kubectl({"exec", "debugged-copy", "-c", "copied", "--", "ps"}).both();
      return ps.find("sleep 3602") != std::string::npos;
    }, 30s, 200ms)) << "ps in the copy's debugger:\n" << ps;
    EXPECT_EQ(this->pod("debugged")->spec().containers_size(), 1) << "the original is not changed";
  }

  // kubectl debug node/<n>: a pod on that node in its PID and IPC namespaces (it sees this
  // test's process), with the node's filesystem at /host.
  void debug_node_runs_in_the_nodes_namespaces() {
    TempDir marker;
    std::ofstream(marker.file("marker")) << "on-the-node";
    auto debug = this->kubectl({"debug", "node/" + this->node_name, "--image=skiff/busybox:1",
                                "--image-pull-policy=IfNotPresent", "--", "sleep", "3604"});
    ASSERT_EQ(debug.exit_code, 0) << debug.both();
    std::smatch m;
    std::string said = debug.both();
    ASSERT_TRUE(std::regex_search(said, m, std::regex(R"(Creating debugging pod (node-debugger-\S+) with container)")))
        << said;
    std::string name = m[1];
    ASSERT_TRUE(running(name)) << this->ok({"get", "pods", "-o", "wide"});
    auto p = this->pod(name);
    EXPECT_TRUE(p->spec().host_pid() && p->spec().host_ipc() && p->spec().host_network()) << p->spec().DebugString();
    auto seen = this->kubectl({"exec", name, "--", "sh", "-c",
                               "readlink /proc/self/ns/pid; readlink /proc/self/ns/ipc; test -d /proc/" +
                                   std::to_string(::getpid()) + " && echo sees-the-test; cat /host" +
                                   marker.file("marker")});
    EXPECT_EQ(seen.exit_code, 0) << seen.both();
    EXPECT_EQ(seen.out, own_namespace("pid") + "\n" + own_namespace("ipc") + "\nsees-the-test\non-the-node") << seen.both();
  }

 private:
  static const Status* ephemeral_status(const Pod& pod, const std::string& name) {
    for (const auto& cs : pod.status().ephemeral_container_statuses())
      if (cs.name() == name) return &cs;
    return nullptr;
  }
  static std::string own_namespace(const std::string& kind) {
    return std::filesystem::read_symlink("/proc/self/ns/" + kind).string();
  }
  static bool answers(TerminalSession& shell, const std::string& keys, const std::string& answer) {
    return wait_until([&] {
      shell.type(keys);
      return shell.shows(answer, 1s);
    }, 30s, 10ms);
  }
  bool running(const std::string& name) {
    return wait_until([&] {
      auto p = this->pod(name);
      return p && p->status().phase() == "Running";
    }, 60s, 100ms);
  }
  std::vector<std::string> kubectl_argv(std::vector<std::string> args) {
    std::vector<std::string> argv = {"/usr/bin/kubectl", "--cache-dir", home_.path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  std::vector<std::string> kubectl_env() { return {"KUBECONFIG=" + this->node->kubeconfig(), "HOME=" + home_.path()}; }

  TempDir home_;
};

}  // namespace skiff::test
