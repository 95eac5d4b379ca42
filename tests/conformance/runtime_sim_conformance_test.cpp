// runtime-sim passes the runtime conformance suite (the cases that need no real processes),
// as the node's own runtime and as one of several simulated nodes, loaded by the real skiffd
// on a real bus; and what it alone promises: nodes apart, stops, exec echoes, image lists,
// simulated exits and files.
#include <atomic>
#include <set>
#include <thread>

#include "plugin_node.hpp"
#include "skiff/sdk/cidr.hpp"
#include "skiff/sdk/runtime/labels.hpp"
#include "skiff/sdk/runtime/runtime_client.hpp"
#include "skiff/sdk/time.hpp"
#include "skiff/testing/plugin_harness.hpp"
#include "skiff/testing/wait.hpp"

namespace {

using namespace skiff;
namespace rt = runtime::v1;

// The sim's own cases need its skiffd too (to stop it under a stream).
class SimHarness final : public conformance::RuntimeHarness {
 public:
  // `config`: the plugin's config block (flow style); `node`: the node the suite talks to.
  SimHarness(const std::string& config, std::string node)
      : node_name_(std::move(node)), node_(nats_, "  - name: runtime-sim\n    config: {" + config + "}\n", "conformance-node") {
    node_.start();
  }
  sdk::Bus& bus() override { return node_.bus(); }
  const sdk::Subjects& subjects() override { return node_.subjects(); }
  std::string node() override { return node_name_; }
  std::string image() override { return "skiff/busybox:1"; }
  test::PluginNode& skiffd() { return node_; }

 private:
  std::string node_name_;
  test::NatsServer nats_;
  test::PluginNode node_;
};

rt::SandboxConfig pod(const std::string& name) {
  rt::SandboxConfig c;
  c.set_pod_uid(name + "-uid");
  c.set_pod_name(name);
  c.set_namespace_("sim");
  return c;
}

std::string running_container(const sdk::RuntimeClient& runtime, const std::string& sandbox, const rt::SandboxConfig& pod) {
  rt::ContainerConfig c;
  c.set_name("main");
  c.set_image("skiff/busybox:1");
  c.add_command("sleep");
  c.add_command("3600");
  std::string id = runtime.create_container(sandbox, c, pod);
  runtime.start_container(id);
  return id;
}

TEST(RuntimeSim, EachSimulatedNodeIsServedApart) {
  SimHarness h("nodes: 3, node_prefix: hollow", "hollow-0");
  sdk::RuntimeClient first(h.bus(), h.subjects(), "hollow-0");
  sdk::RuntimeClient last(h.bus(), h.subjects(), "hollow-2");
  std::string a = first.run_sandbox(pod("a"));
  std::string b = last.run_sandbox(pod("b"));
  EXPECT_EQ(first.list_sandboxes().size(), 1u);
  EXPECT_EQ(last.list_sandboxes().size(), 1u);
  EXPECT_EQ(first.sandbox_status(a).ip().rfind("10.0.0.", 0), 0u) << first.sandbox_status(a).ip();
  EXPECT_EQ(last.sandbox_status(b).ip().rfind("10.0.2.", 0), 0u) << last.sandbox_status(b).ip();
  try {
    last.sandbox_status(a);
    ADD_FAILURE() << "a sandbox of hollow-0 was found on hollow-2";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 404);
  }
  // With nodes > 1 the process's own node name is not served: nothing answers there.
  sdk::RuntimeClient own(h.bus(), h.subjects(), "conformance-node", std::chrono::seconds(2));
  try {
    own.version();
    ADD_FAILURE() << "the process's own node is served too";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 503) << e.status().message;
  }
}

// As CRI's UpdateRuntimeConfig: once the kubelet passes on the node's pod subnet, sandboxes
// take their IPs from it, after the gateway.
TEST(RuntimeSim, SandboxesTakeTheirIpsFromThePodCidrPassedOn) {
  SimHarness h("", "conformance-node");
  sdk::RuntimeClient runtime(h.bus(), h.subjects(), "conformance-node");
  EXPECT_EQ(runtime.sandbox_status(runtime.run_sandbox(pod("before"))).ip().rfind("10.0.0.", 0), 0u);
  runtime.update_runtime_config("10.244.7.0/24");
  auto subnet = *sdk::Ipv4Cidr::parse("10.244.7.0/24");
  std::set<std::string> ips;
  for (const char* name : {"after", "next", "third"}) {
    std::string ip;
    runtime.run_sandbox(pod(name), &ip);
    auto address = sdk::parse_ipv4(ip);
    ASSERT_TRUE(address && subnet.contains(*address)) << ip;
    EXPECT_NE(ip, "10.244.7.1") << "the gateway";
    ips.insert(ip);
  }
  EXPECT_EQ(ips.size(), 3u);
  try {
    runtime.update_runtime_config("10.244.7.0");
    ADD_FAILURE() << "a pod CIDR that is no CIDR was taken";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 422) << e.status().message;
  }
}

TEST(RuntimeSim, AHundredNodesEachAnswer) {
  SimHarness h("nodes: 100, node_prefix: hollow", "hollow-0");
  for (int i = 0; i < 100; ++i) {
    sdk::RuntimeClient node(h.bus(), h.subjects(), "hollow-" + std::to_string(i));
    std::string id = node.run_sandbox(pod("p"));
    EXPECT_EQ(node.sandbox_status(id).ip(), "10.0." + std::to_string(i) + ".2");
  }
}

TEST(RuntimeSim, StopEndsFollowedLogsWithAnExitCode) {
  SimHarness h("", "conformance-node");
  sdk::RuntimeClient runtime(h.bus(), h.subjects(), "conformance-node");
  auto config = pod("stop");
  std::string id = running_container(runtime, runtime.run_sandbox(config), config);
  std::string seen;
  std::atomic<bool> following{false};
  std::thread follower([&] {
    rt::LogsRequest r;
    r.set_container_id(id);
    r.set_follow(true);
    r.set_tail_lines(-1);
    runtime.logs(r, [&](const rt::Chunk& c) {
      seen += c.data();
      following = true;
      return true;  // to the end: the stop must end the stream
    });
  });
  ASSERT_TRUE(test::wait_until([&] { return following.load(); })) << "the followed logs never started";
  runtime.stop_container(id, 10);
  follower.join();
  EXPECT_NE(seen.find("stopped (exit code 143)\n"), std::string::npos) << seen;
  auto status = runtime.container_status(id);
  EXPECT_EQ(status.state(), "EXITED");
  EXPECT_EQ(status.exit_code(), 143);
  EXPECT_EQ(status.reason(), "Error");
  EXPECT_EQ(status.labels().at(sdk::label::kContainerAttempt), "0");
  try {
    runtime.start_container(id);
    ADD_FAILURE() << "an exited container started again";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 409);
  }
}

TEST(RuntimeSim, ShutdownEndsTheStreamsUnderWay) {
  SimHarness h("", "conformance-node");
  sdk::RuntimeClient runtime(h.bus(), h.subjects(), "conformance-node");
  auto config = pod("shutdown");
  std::string id = running_container(runtime, runtime.run_sandbox(config), config);
  std::atomic<bool> ended{false}, following{false};
  std::thread follower([&] {
    rt::LogsRequest r;
    r.set_container_id(id);
    r.set_follow(true);
    r.set_tail_lines(-1);
    runtime.logs(r, [&](const rt::Chunk&) { return following = true; });
    ended = true;
  });
  ASSERT_TRUE(test::wait_until([&] { return following.load(); })) << "the followed logs never started";
  h.skiffd().stop();
  follower.join();
  EXPECT_TRUE(ended);
  EXPECT_NE(h.skiffd().output().find("node conformance-node stopped"), std::string::npos) << h.skiffd().output();
}

TEST(RuntimeSim, ExecEchoesTheCommandOrItsInput) {
  SimHarness h("", "conformance-node");
  sdk::RuntimeClient runtime(h.bus(), h.subjects(), "conformance-node");
  auto config = pod("exec");
  std::string id = running_container(runtime, runtime.run_sandbox(config), config);
  auto run = [&](std::vector<std::string> command, const std::string& input) {
    rt::ExecRequest r;
    r.set_container_id(id);
    for (auto& part : command) r.add_command(part);
    std::string out;
    int code = runtime.exec(r, [&](const rt::Chunk& c) {
      out += c.data();
      return true;
    }, input, std::chrono::seconds(10));
    EXPECT_EQ(code, 0);
    return out;
  };
  EXPECT_EQ(run({"sh", "-c", "exit 4"}, ""), "sh -c exit 4\n");
  EXPECT_EQ(run({"cat"}, "from stdin\n"), "from stdin\n");
  runtime.stop_container(id, 0);
  EXPECT_EQ(runtime.container_status(id).exit_code(), 137);
  try {
    run({"true"}, "");
    ADD_FAILURE() << "exec ran in an exited container";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 409);
  }
}

// A container whose SIM_* environment is `env` (key, value pairs), started.
std::string simulated(const sdk::RuntimeClient& runtime, const std::string& sandbox, const rt::SandboxConfig& pod,
                      const std::string& name, const std::vector<std::pair<std::string, std::string>>& env) {
  rt::ContainerConfig c;
  c.set_name(name);
  c.set_image("skiff/busybox:1");
  for (const auto& [key, value] : env) {
    auto* kv = c.add_env();
    kv->set_key(key);
    kv->set_value(value);
  }
  std::string id = runtime.create_container(sandbox, c, pod);
  runtime.start_container(id);
  return id;
}

TEST(RuntimeSim, ContainersExitOnTheirOwnAsTheirEnvironmentSays) {
  SimHarness h("", "conformance-node");
  sdk::RuntimeClient runtime(h.bus(), h.subjects(), "conformance-node");
  auto config = pod("exits");
  std::string sandbox = runtime.run_sandbox(config);
  std::string at_once = simulated(runtime, sandbox, config, "at-once", {{"SIM_EXIT_CODE", "3"}});
  auto status = runtime.container_status(at_once);
  EXPECT_EQ(status.state(), "EXITED");
  EXPECT_EQ(status.exit_code(), 3);
  EXPECT_EQ(status.reason(), "Error");

  std::string later = simulated(runtime, sandbox, config, "later", {{"SIM_EXIT_CODE", "0"}, {"SIM_EXIT_AFTER", "300ms"}});
  // A follower of its logs sees them end when it exits, with the exit line last.
  std::string seen;
  rt::LogsRequest r;
  r.set_container_id(later);
  r.set_follow(true);
  r.set_tail_lines(-1);
  runtime.logs(r, [&](const rt::Chunk& c) {
    seen += c.data();
    return true;
  });
  EXPECT_NE(seen.find("exited (exit code 0)\n"), std::string::npos) << seen;
  status = runtime.container_status(later);
  EXPECT_EQ(status.state(), "EXITED");
  EXPECT_EQ(status.reason(), "Completed");
  auto ran = *sdk::parse_rfc3339(status.finished_at()) - *sdk::parse_rfc3339(status.started_at());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(ran).count(), 300) << "finishedAt is its due time";

  // Stopped before its time: the stop's code, not its own.
  std::string stopped = simulated(runtime, sandbox, config, "stopped", {{"SIM_EXIT_CODE", "0"}, {"SIM_EXIT_AFTER", "1h"}});
  EXPECT_EQ(runtime.container_status(stopped).state(), "RUNNING");
  runtime.stop_container(stopped, 0);
  EXPECT_EQ(runtime.container_status(stopped).exit_code(), 137);
}

TEST(RuntimeSim, ExecActsOnTheContainersOwnFiles) {
  SimHarness h("", "conformance-node");
  sdk::RuntimeClient runtime(h.bus(), h.subjects(), "conformance-node");
  auto config = pod("files");
  std::string sandbox = runtime.run_sandbox(config);
  std::string a = simulated(runtime, sandbox, config, "a", {{"SIM_FILES", "/tmp/healthy,/tmp/ready"}});
  std::string b = simulated(runtime, sandbox, config, "b", {});
  auto run = [&](const std::string& id, std::vector<std::string> command, std::string* err = nullptr) {
    rt::ExecRequest r;
    r.set_container_id(id);
    for (auto& part : command) r.add_command(part);
    return runtime.exec(r, [&](const rt::Chunk& c) {
      if (err && c.fd() == 2) *err += c.data();
      return true;
    }, "", std::chrono::seconds(10));
  };
  EXPECT_EQ(run(a, {"true"}), 0);
  EXPECT_EQ(run(a, {"false"}), 1);
  EXPECT_EQ(run(a, {"cat", "/tmp/healthy"}), 0);
  EXPECT_EQ(run(a, {"test", "-e", "/tmp/ready"}), 0);
  EXPECT_EQ(run(b, {"cat", "/tmp/healthy"}), 1) << "containers share no files";
  EXPECT_EQ(run(a, {"rm", "/tmp/healthy"}), 0);
  std::string err;
  EXPECT_EQ(run(a, {"cat", "/tmp/healthy"}, &err), 1);
  EXPECT_EQ(err, "cat: can't open '/tmp/healthy': No such file or directory\n");
  EXPECT_EQ(run(a, {"rm", "/tmp/healthy"}), 1);
  EXPECT_EQ(run(a, {"rm", "-f", "/tmp/healthy"}), 0);
  EXPECT_EQ(run(b, {"touch", "/tmp/started"}), 0);
  EXPECT_EQ(run(b, {"test", "-f", "/tmp/started"}), 0);
  EXPECT_EQ(run(b, {"sh", "-c", "exit 4"}), 0) << "other commands only print themselves";
}

TEST(RuntimeSim, AKnobThatDoesNotParseIsRefusedByName) {
  SimHarness h("", "conformance-node");
  sdk::RuntimeClient runtime(h.bus(), h.subjects(), "conformance-node");
  auto config = pod("knobs");
  std::string sandbox = runtime.run_sandbox(config);
  for (auto [key, value] : {std::pair{"SIM_EXIT_CODE", "256"}, {"SIM_EXIT_CODE", "one"}, {"SIM_EXIT_AFTER", "soon"}}) {
    try {
      simulated(runtime, sandbox, config, "bad", {{key, value}});
      ADD_FAILURE() << key << "=" << value << " was taken";
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.status().code, 400);
      EXPECT_NE(e.status().message.find(std::string(key) + "=\"" + value + "\""), std::string::npos) << e.status().message;
    }
  }
}

TEST(RuntimeSim, ListedImagesArePresentOthersArePulled) {
  SimHarness h("images: [skiff/busybox:1]", "conformance-node");
  sdk::RuntimeClient runtime(h.bus(), h.subjects(), "conformance-node");
  EXPECT_FALSE(runtime.image("skiff/busybox:1").pulled());
  try {
    runtime.image("nginx:1.27", "Never");
    ADD_FAILURE() << "an image not listed was present";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().reason, "ErrImageNeverPull");
  }
  EXPECT_TRUE(runtime.image("nginx:1.27").pulled());
  EXPECT_FALSE(runtime.image("nginx:1.27").pulled());
  try {
    runtime.image("example.com/missing:1");
    ADD_FAILURE() << "a missing image was pulled";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().reason, "ErrImagePull");
  }
}

}  // namespace

namespace skiff::conformance {
INSTANTIATE_TEST_SUITE_P(
    Runtimes, RuntimeConformance,
    ::testing::Values(
        RuntimeConformanceParam{"runtime_sim", test::runtime_harness({"runtime-sim"}), false},
        // The last of several simulated nodes: its subjects, its own state.
        RuntimeConformanceParam{"runtime_sim_hollow",
                                test::runtime_harness({"runtime-sim", "", "nodes: 3\nnode_prefix: hollow"},
                                                      "skiff/busybox:1", "hollow-2"),
                                false}),
    [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance
