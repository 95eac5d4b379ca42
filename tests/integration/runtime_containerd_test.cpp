// What runtime-containerd promises beyond the conformance suite, against Skiff's containerd
// (scripts/containerd.sh) in the real skiffd on a real bus: exec's exit codes, TTY and missing
// commands; logs' tail, timestamps and a follow that ends with the container; host-network
// pods; clamped OOM scores; the securityContext seen from inside the container (read-only root,
// capabilities, user and group, privileged, no new privileges); and a refusal to start, naming
// the socket, when containerd is away.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <random>
#include <sstream>

#include "nats_server.hpp"
#include "plugin_node.hpp"
#include "skiff/sdk/runtime/runtime_client.hpp"
#include "skiff/sdk/status.hpp"
#include "test_images.hpp"

namespace {

using namespace skiff;
namespace rt = runtime::v1;

constexpr const char* kTestLabel = "io.skiff.test";

std::string plugin_entry(const std::string& config) {
  return "  - name: runtime-containerd\n    config: {" + config + "}\n";
}

class RuntimeContainerd : public ::testing::Test {
 protected:
  void SetUp() override {
    test::import_test_images();
    node_.start();
    label_ = "cd" + std::to_string(std::random_device{}() % 1000000000);
  }
  void TearDown() override {
    for (const auto& s : runtime_.list_sandboxes({{kTestLabel, label_}})) runtime_.remove_sandbox(s.id());
  }

  rt::SandboxConfig pod(const std::string& name, bool host_network = false) {
    rt::SandboxConfig c;
    c.set_pod_uid(label_ + "-" + name);
    c.set_pod_name(name);
    c.set_namespace_("containerd-test");
    c.set_hostname(name);
    c.set_host_network(host_network);
    (*c.mutable_labels())[kTestLabel] = label_;
    return c;
  }
  std::string container(const std::string& sandbox, const rt::SandboxConfig& config, std::vector<std::string> command,
                        std::int64_t memory_limit = 0) {
    rt::ContainerConfig c;
    c.set_name("main");
    c.set_image("skiff/busybox:1");
    for (auto& part : command) c.add_command(part);
    c.set_memory_limit_bytes(memory_limit);
    std::string id = runtime_.create_container(sandbox, c, config);
    runtime_.start_container(id);
    return id;
  }
  // A running `sleep` named `name`, its config adjusted first (the securityContext).
  std::string sleeper(const std::string& sandbox, const rt::SandboxConfig& config, const std::string& name,
                      const std::function<void(rt::ContainerConfig&)>& adjust) {
    rt::ContainerConfig c;
    c.set_name(name);
    c.set_image("skiff/busybox:1");
    c.add_command("sleep");
    c.add_command("3600");
    adjust(c);
    std::string id = runtime_.create_container(sandbox, c, config);
    runtime_.start_container(id);
    return id;
  }
  // Exit code, stdout and stderr of a command in the container.
  std::tuple<int, std::string, std::string> exec(const std::string& id, std::vector<std::string> command,
                                                 bool tty = false) {
    rt::ExecRequest r;
    r.set_container_id(id);
    r.set_tty(tty);
    for (auto& part : command) r.add_command(part);
    std::string out, err;
    int code = runtime_.exec(r, [&](const rt::Chunk& c) {
      (c.fd() == 2 ? err : out) += c.data();
      return true;
    }, "", std::chrono::seconds(30));
    return {code, out, err};
  }
  std::string logs(const std::string& id, std::int64_t tail, bool timestamps, bool follow = false) {
    rt::LogsRequest r;
    r.set_container_id(id);
    r.set_tail_lines(tail);
    r.set_timestamps(timestamps);
    r.set_follow(follow);
    std::string out;
    runtime_.logs(r, [&](const rt::Chunk& c) {
      out += c.data();
      return true;
    });
    return out;
  }

  test::NatsServer nats_;
  test::PluginNode node_{nats_, plugin_entry(""), "containerd-node"};
  sdk::RuntimeClient runtime_{node_.bus(), node_.subjects(), "containerd-node"};
  std::string label_;
};

TEST_F(RuntimeContainerd, ExecGivesExitCodesTtyAndMissingCommands) {
  auto config = pod("exec");
  std::string id = container(runtime_.run_sandbox(config), config, {"sleep", "3600"});
  auto [code, out, err] = exec(id, {"sh", "-c", "exit 7"});
  EXPECT_EQ(code, 7);
  auto [tty_code, tty_out, tty_err] = exec(id, {"tty"}, true);
  EXPECT_EQ(tty_code, 0);
  EXPECT_EQ(tty_out.rfind("/dev/pts/", 0), 0u) << tty_out;
  auto [missing, missing_out, missing_err] = exec(id, {"no-such-command"});
  EXPECT_EQ(missing, 127);
  EXPECT_NE(missing_err.find("no-such-command"), std::string::npos) << missing_err;
  runtime_.stop_container(id, 0);
  try {
    exec(id, {"true"});
    ADD_FAILURE() << "exec ran in an exited container";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 409) << e.status().message;
  }
}

TEST_F(RuntimeContainerd, LogsHaveTailTimestampsAndAFollowThatEndsWithTheContainer) {
  auto config = pod("logs");
  std::string id = container(runtime_.run_sandbox(config), config,
                             {"sh", "-c", "echo one; echo two; echo three; sleep 1; echo four"});
  // Followed from the start: ends by itself when the container exits, with every line.
  EXPECT_EQ(logs(id, -1, false, true), "one\ntwo\nthree\nfour\n");
  EXPECT_EQ(runtime_.container_status(id).state(), "EXITED");
  EXPECT_EQ(logs(id, 2, false), "three\nfour\n");
  std::string stamped = logs(id, 1, true);
  ASSERT_GT(stamped.size(), 31u) << stamped;
  EXPECT_EQ(stamped.substr(stamped.find(' ')), " four\n") << stamped;
  EXPECT_EQ(stamped[4], '-') << "an RFC 3339 time first: " << stamped;
}

TEST_F(RuntimeContainerd, AHostNetworkPodHasNoIpOfItsOwn) {
  auto config = pod("host", true);
  std::string sandbox = runtime_.run_sandbox(config);
  EXPECT_EQ(runtime_.sandbox_status(sandbox).ip(), "");
  std::string id = container(sandbox, config, {"sleep", "3600"});
  auto [code, out, err] = exec(id, {"readlink", "/proc/self/ns/net"});
  EXPECT_EQ(code, 0) << err;
  std::error_code ec;
  std::string own = std::filesystem::read_symlink("/proc/self/ns/net", ec).string();
  EXPECT_EQ(out, own + "\n") << "the node's network namespace (this test's)";
}

// containerd's own score: restrict_oom_score_adj raises every lower request to it.
int containerd_oom_score_adj() {
  std::ifstream pid_file("/run/skiff/containerd/containerd.pid");
  std::string pid;
  pid_file >> pid;
  std::ifstream score("/proc/" + pid + "/oom_score_adj");
  int value = 0;
  score >> value;
  return value;
}

TEST_F(RuntimeContainerd, OomScoresFollowQosAndAreNeverNegative) {
  // CRI asks -998 for the sandbox; the plugin asks 0 for a container with limits (Kubernetes
  // would ask less): both become the floor, never negative.
  std::string floor = std::to_string(std::max(0, containerd_oom_score_adj())) + "\n";
  auto config = pod("oom");
  config.set_share_process_namespace(true);  // the pause process is PID 1 of the pod's PID namespace
  std::string sandbox = runtime_.run_sandbox(config);
  std::string best_effort = container(sandbox, config, {"sleep", "3600"});
  EXPECT_EQ(std::get<1>(exec(best_effort, {"cat", "/proc/1/oom_score_adj"})), floor) << "the pause process";
  EXPECT_EQ(std::get<1>(exec(best_effort, {"sh", "-c", "cat /proc/$$/oom_score_adj"})), "1000\n");
  rt::ContainerConfig limited;
  limited.set_name("limited");
  limited.set_image("skiff/busybox:1");
  limited.add_command("sleep");
  limited.add_command("3600");
  limited.set_memory_limit_bytes(64 << 20);
  std::string id = runtime_.create_container(sandbox, limited, config);
  runtime_.start_container(id);
  EXPECT_EQ(std::get<1>(exec(id, {"sh", "-c", "cat /proc/$$/oom_score_adj"})), floor);
}

// A line of /proc/<pid>/status ("CapEff", "NoNewPrivs"): its value, "" when absent.
std::string status_field(const std::string& status, const std::string& field) {
  std::istringstream lines(status);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(field + ":", 0) == 0) return line.substr(line.find_first_not_of(" \t", field.size() + 1));
  return "";
}

std::uint64_t capability_mask(const std::string& status, const std::string& field) {
  return std::stoull(status_field(status, field), nullptr, 16);
}

constexpr std::uint64_t kChown = 1ULL << 0;
constexpr std::uint64_t kNetBindService = 1ULL << 10;
constexpr std::uint64_t kNetAdmin = 1ULL << 12;
constexpr std::uint64_t kSysTime = 1ULL << 25;

TEST_F(RuntimeContainerd, ReadOnlyRootOnlyTheAddedCapabilityAndTheUserFromTheSecurityContext) {
  auto config = pod("locked");
  std::string sandbox = runtime_.run_sandbox(config);
  std::string locked = sleeper(sandbox, config, "locked", [](rt::ContainerConfig& c) {
    c.set_read_only_root(true);
    c.add_capabilities_drop("ALL");
    c.add_capabilities_add("NET_BIND_SERVICE");
    c.set_run_as_user(1000);
    c.set_run_as_group(1000);
    c.set_no_new_privileges(true);
  });
  auto [touch_code, touch_out, touch_err] = exec(locked, {"touch", "/written"});
  EXPECT_NE(touch_code, 0) << "the root is read-only";
  EXPECT_NE(touch_err.find("Read-only file system"), std::string::npos) << touch_err;
  EXPECT_EQ(std::get<1>(exec(locked, {"id", "-u"})), "1000\n");
  EXPECT_EQ(std::get<1>(exec(locked, {"id", "-g"})), "1000\n");
  std::string status = std::get<1>(exec(locked, {"cat", "/proc/self/status"}));
  EXPECT_EQ(capability_mask(status, "CapBnd"), kNetBindService) << "only NET_BIND_SERVICE: " << status;
  EXPECT_EQ(status_field(status, "NoNewPrivs"), "1");

  std::string plain = sleeper(sandbox, config, "plain", [](rt::ContainerConfig&) {});
  EXPECT_EQ(std::get<0>(exec(plain, {"touch", "/written"})), 0);
  EXPECT_EQ(std::get<1>(exec(plain, {"id", "-u"})), "0\n");
  std::string plain_status = std::get<1>(exec(plain, {"cat", "/proc/self/status"}));
  EXPECT_EQ(status_field(plain_status, "NoNewPrivs"), "0");
  EXPECT_NE(capability_mask(plain_status, "CapEff") & kChown, 0u) << "containerd's default set";
}

TEST_F(RuntimeContainerd, CapabilitiesAreDroppedAndAddedWithOrWithoutTheirPrefix) {
  auto config = pod("caps");
  std::string id = sleeper(runtime_.run_sandbox(config), config, "caps", [](rt::ContainerConfig& c) {
    c.add_capabilities_drop("CHOWN");
    c.add_capabilities_add("CAP_NET_ADMIN");
    c.add_capabilities_add("sys_time");
  });
  std::uint64_t effective = capability_mask(std::get<1>(exec(id, {"cat", "/proc/self/status"})), "CapEff");
  EXPECT_EQ(effective & kChown, 0u) << "CHOWN dropped";
  EXPECT_NE(effective & kNetAdmin, 0u) << "CAP_NET_ADMIN added";
  EXPECT_NE(effective & kSysTime, 0u) << "sys_time added";
  EXPECT_NE(effective & kNetBindService, 0u) << "the rest of the default set kept";
  // Any change of a link needs NET_ADMIN, even to the value it has (the pod's own loopback).
  auto [code, out, err] = exec(id, {"ip", "link", "set", "lo", "mtu", "65536"});
  EXPECT_EQ(code, 0) << "NET_ADMIN at work: " << err;
}

// containerd's bounding set: what a privileged container gets (every capability it may hand on).
std::uint64_t containerd_capability_bounding_set() {
  std::ifstream pid_file("/run/skiff/containerd/containerd.pid");
  std::string pid;
  pid_file >> pid;
  std::ifstream status_file("/proc/" + pid + "/status");
  std::string status((std::istreambuf_iterator<char>(status_file)), std::istreambuf_iterator<char>());
  return capability_mask(status, "CapBnd");
}

TEST_F(RuntimeContainerd, APrivilegedContainerHasEveryCapabilityAndTheNodesDevices) {
  auto config = pod("privileged");
  std::string sandbox = runtime_.run_sandbox(config);
  std::string id = sleeper(sandbox, config, "privileged", [](rt::ContainerConfig& c) { c.set_privileged(true); });
  std::string status = std::get<1>(exec(id, {"cat", "/proc/self/status"}));
  EXPECT_EQ(capability_mask(status, "CapEff"), containerd_capability_bounding_set()) << status;
  EXPECT_EQ(std::get<0>(exec(id, {"test", "-e", "/dev/kmsg"})), 0) << "the node's devices";
  // The same pod's unprivileged container keeps the default set: the mark is the container's.
  std::string plain = sleeper(sandbox, config, "plain", [](rt::ContainerConfig&) {});
  std::string plain_status = std::get<1>(exec(plain, {"cat", "/proc/self/status"}));
  EXPECT_NE(capability_mask(plain_status, "CapEff"), containerd_capability_bounding_set()) << plain_status;
}

TEST_F(RuntimeContainerd, AGroupWithoutAUserRunsAsTheImagesUserInThatGroup) {
  auto config = pod("group");
  std::string id = sleeper(runtime_.run_sandbox(config), config, "group", [](rt::ContainerConfig& c) {
    c.set_run_as_group(3000);
  });
  EXPECT_EQ(std::get<1>(exec(id, {"id", "-u"})), "0\n") << "busybox names no user: root";
  EXPECT_EQ(std::get<1>(exec(id, {"id", "-g"})), "3000\n");
}

TEST_F(RuntimeContainerd, AnUnknownCapabilityIsRefused) {
  auto config = pod("unknown");
  std::string sandbox = runtime_.run_sandbox(config);
  try {
    sleeper(sandbox, config, "bad", [](rt::ContainerConfig& c) { c.add_capabilities_add("FLY"); });
    ADD_FAILURE() << "created with an unknown capability";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 400);
    EXPECT_NE(e.status().message.find("FLY"), std::string::npos) << e.status().message;
  }
}

// The kubelet replaces a dead sandbox before it removes the old one: CRI reserves a name per
// attempt, so the new one is the pod's next attempt.
TEST_F(RuntimeContainerd, APodGetsANewSandboxWhileItsOldOneIsStillThere) {
  auto config = pod("again");
  std::string first = runtime_.run_sandbox(config);
  runtime_.stop_sandbox(first);
  std::string second = runtime_.run_sandbox(config);
  EXPECT_NE(first, second);
  EXPECT_EQ(runtime_.sandbox_status(second).state(), "READY");
  EXPECT_EQ(runtime_.sandbox_status(first).state(), "NOTREADY");
  EXPECT_EQ(runtime_.list_sandboxes({{kTestLabel, label_}}).size(), 2u);
}

TEST(RuntimeContainerdStart, RefusesWithoutContainerdNamingTheSocketAndTheScript) {
  test::NatsServer nats;
  test::PluginNode node(nats, plugin_entry("socket: /run/skiff/no-such-containerd.sock, timeout: 2s"), "absent-node");
  try {
    node.start();
    ADD_FAILURE() << "started without containerd";
  } catch (const std::exception& e) {
    std::string output = node.output() + e.what();
    EXPECT_NE(output.find("/run/skiff/no-such-containerd.sock"), std::string::npos) << output;
    EXPECT_NE(output.find("scripts/containerd.sh"), std::string::npos) << output;
  }
}

}  // namespace
