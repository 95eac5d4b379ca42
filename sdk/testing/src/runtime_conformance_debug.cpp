// The runtime conformance suite, part two: what kubectl debug and interactive shells need —
// a pod's PID and IPC namespaces (its own per container, shared, the node's), an ephemeral
// container in its target's PID namespace, and terminal resizes of exec and attach.
#include <unistd.h>

#include <filesystem>

#include "runtime_conformance_pod.hpp"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/chunk_stream.hpp"
#include "skiff/testing/runtime_conformance.hpp"

namespace skiff::conformance {

using namespace runtime_suite;

namespace {

// `ps` in a new container of the pod (after the sandbox config's namespaces), once it exited.
std::string ps_in(Pod& pod, const std::string& name) {
  std::string id = pod.container(name, {"ps"});
  if (!pod.exited(id)) return "(" + name + " did not exit)";
  return pod.logs(id);
}

// The namespace a link in /proc/self/ns names here ("pid:[4026531836]").
std::string own_namespace(const std::string& kind) {
  return std::filesystem::read_symlink("/proc/self/ns/" + kind).string();
}

// A shell on a terminal reading lines, each answered with `stty size`: the size it has now.
std::string sized_terminal_output(sdk::ChunkStream& stream, const std::string& wanted) {
  std::string out;
  eventually([&] {
    stream.send_stdin("\n", false);  // each line asks for the size again
    while (auto chunk = stream.next(std::chrono::steady_clock::now() + 100ms)) {
      out += chunk->data();
      if (chunk->done()) return true;
    }
    return out.find(wanted) != std::string::npos;
  });
  return out;
}

}  // namespace

// Kubernetes' default: each container has a PID namespace of its own; with
// shareProcessNamespace (kubectl debug --copy-to --share-processes) the pod has one.
TEST_P(RuntimeConformance, ContainersSeeEachOthersProcessesOnlyInAPodThatSharesThem) {
  if (!GetParam().real_processes) GTEST_SKIP() << "simulated containers run no ps";
  Pod apart(harness(), test_label(), "apart");
  apart.sandbox();
  apart.container("app", {"sleep", "3605"});
  std::string seen = ps_in(apart, "looker");
  EXPECT_NE(seen.find("ps"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("sleep 3605"), std::string::npos) << "a container saw its neighbour's processes:\n" << seen;

  Pod shared(harness(), test_label(), "shared");
  shared.config.set_share_process_namespace(true);
  try {
    shared.sandbox();
  } catch (const sdk::Error& e) {
    if (e.status().code == 501) GTEST_SKIP() << "this runtime cannot share a pod's PID namespace: " << e.status().message;
    throw;
  }
  shared.container("app", {"sleep", "3606"});
  seen = ps_in(shared, "looker");
  EXPECT_NE(seen.find("sleep 3606"), std::string::npos) << "ps in a pod sharing its processes:\n" << seen;
}

// hostPID and hostIPC (kubectl debug node/…): the node's namespaces, the ones this test runs in.
TEST_P(RuntimeConformance, HostPidAndHostIpcAreTheNodesNamespaces) {
  if (!GetParam().real_processes) GTEST_SKIP() << "simulated containers have no namespaces";
  const std::string show = "readlink /proc/self/ns/pid; readlink /proc/self/ns/ipc; test -d /proc/" +
                           std::to_string(::getpid()) + " && echo sees-the-test";
  Pod node(harness(), test_label(), "node");
  node.config.set_host_pid(true);
  node.config.set_host_ipc(true);
  node.sandbox();
  std::string id = node.container("looker", {"sh", "-c", show});
  ASSERT_TRUE(node.exited(id));
  std::string seen = node.logs(id);
  EXPECT_EQ(seen, own_namespace("pid") + "\n" + own_namespace("ipc") + "\nsees-the-test\n");

  Pod pod(harness(), test_label(), "own");
  pod.sandbox();
  id = pod.container("looker", {"sh", "-c", show});
  ASSERT_TRUE(pod.exited(id));
  seen = pod.logs(id);
  EXPECT_EQ(seen.find(own_namespace("pid")), std::string::npos) << seen;
  EXPECT_EQ(seen.find(own_namespace("ipc")), std::string::npos) << seen;
  EXPECT_EQ(seen.find("sees-the-test"), std::string::npos) << seen;
}

// An ephemeral container's targetContainerName: the new container joins the target's PID
// namespace and sees its processes. A runtime that cannot answers 501.
TEST_P(RuntimeConformance, TargetContainerSharesItsProcesses) {
  Pod pod(harness(), test_label(), "target");
  pod.sandbox();
  std::string target = pod.container("app", {"sleep", "3601"});
  rt::ContainerConfig debug;
  debug.set_name("debugger");
  debug.set_image(pod.image);
  debug.add_command("ps");
  debug.set_target_container_id(target);
  std::string id;
  try {
    id = pod.runtime.create_container(pod.sandbox_id, debug, pod.config);
  } catch (const sdk::Error& e) {
    if (e.status().code == 501) GTEST_SKIP() << "this runtime cannot share a PID namespace: " << e.status().message;
    throw;
  }
  pod.runtime.start_container(id);
  if (GetParam().real_processes) {
    ASSERT_TRUE(pod.exited(id));
    EXPECT_EQ(pod.runtime.container_status(id).exit_code(), 0) << pod.logs(id);
    EXPECT_NE(pod.logs(id).find("sleep 3601"), std::string::npos) << "ps in the debugger:\n" << pod.logs(id);
  }
  rt::ContainerConfig orphan = debug;
  orphan.set_name("orphan");
  orphan.set_target_container_id("no-such-container");
  EXPECT_THROW({
    std::string orphan_id = pod.runtime.create_container(pod.sandbox_id, orphan, pod.config);
    pod.runtime.start_container(orphan_id);
  }, sdk::Error) << "a target that does not exist was joined";
}

// kubectl's window size reaches an exec's terminal: stty inside reports it.
TEST_P(RuntimeConformance, ResizeReachesAnExecsTerminal) {
  if (!GetParam().real_processes || !GetParam().resizes_terminals) GTEST_SKIP() << "this runtime resizes no terminal";
  Pod pod(harness(), test_label(), "resize");
  pod.sandbox();
  std::string id = pod.container("main", {"sleep", "3600"});
  sdk::ChunkStream stream(harness().bus(), harness().subjects());
  rt::ExecRequest r;
  r.set_container_id(id);
  r.set_tty(true);
  r.set_stdin(true);
  r.set_stream(stream.subject());
  for (const char* part : {"sh", "-c", "while read line; do stty size; done"}) r.add_command(part);
  sdk::call<rt::ExecRequest>(harness().bus(), harness().subjects().runtime_on(harness().node(), "exec"), r);
  stream.send_resize(123, 45);
  std::string out = sized_terminal_output(stream, "45 123");
  stream.send_stdin("", true);
  stream.stop();
  EXPECT_NE(out.find("45 123"), std::string::npos) << "the exec's terminal said:\n" << out;
}

// kubectl attach -t (and debug -it): the size reaches the container's own terminal.
TEST_P(RuntimeConformance, ResizeReachesAnAttachedTerminal) {
  if (!GetParam().real_processes || !GetParam().resizes_terminals) GTEST_SKIP() << "this runtime resizes no terminal";
  Pod pod(harness(), test_label(), "attach-resize");
  pod.sandbox();
  rt::ContainerConfig c;
  c.set_name("shell");
  c.set_image(pod.image);
  for (const char* part : {"sh", "-c", "while read line; do stty size; done"}) c.add_command(part);
  c.set_stdin(true);
  c.set_tty(true);
  std::string id = pod.runtime.create_container(pod.sandbox_id, c, pod.config);
  pod.runtime.start_container(id);
  sdk::ChunkStream stream(harness().bus(), harness().subjects());
  rt::AttachRequest r;
  r.set_container_id(id);
  r.set_tty(true);
  r.set_stdin(true);
  r.set_stream(stream.subject());
  try {
    sdk::call<rt::AttachRequest>(harness().bus(), harness().subjects().runtime_on(harness().node(), "attach"), r);
  } catch (const sdk::Error& e) {
    if (e.status().code == 501) GTEST_SKIP() << "this runtime cannot attach: " << e.status().message;
    throw;
  }
  stream.send_resize(101, 33);
  std::string out = sized_terminal_output(stream, "33 101");
  stream.stop();
  EXPECT_NE(out.find("33 101"), std::string::npos) << "the container's terminal said:\n" << out;
}

}  // namespace skiff::conformance
