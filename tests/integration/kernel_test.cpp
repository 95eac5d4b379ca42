// The real skiffd binary: ordering, refusals, status, embedded bus, process isolation.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "data_dir.hpp"
#include "nats_server.hpp"
#include "skiff/kernel/v1/kernel.pb.h"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/subjects.hpp"
#include "skiffd_process.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
using test::wait_until;

// Collects the lifecycle events the test plugins publish, in arrival order.
class EventLog {
 public:
  explicit EventLog(sdk::Bus& bus)
      : sub_(bus.subscribe("skiff.test.events", [this](const sdk::Message& m) {
          std::lock_guard lock(mutex_);
          events_.push_back(m.data);
        })) {}

  std::vector<std::string> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  bool has(const std::string& event) const {
    auto all = events();
    return std::find(all.begin(), all.end(), event) != all.end();
  }
  long count(const std::string& event) const {
    auto all = events();
    return std::count(all.begin(), all.end(), event);
  }
  // Position of an event, or -1.
  long index(const std::string& event) const {
    auto all = events();
    auto it = std::find(all.begin(), all.end(), event);
    return it == all.end() ? -1 : it - all.begin();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> events_;
  sdk::Subscription sub_;
};

class KernelTest : public ::testing::Test {
 protected:
  test::NatsServer nats;
  test::TempDir dir;
  sdk::BusPtr bus = sdk::connect_bus(nats.options());
  EventLog events{*bus};

  std::string write_profile(const std::string& plugins_yaml, const std::string& extra = "",
                            bool embedded = false) {
    std::string path = dir.file("profile.yaml");
    std::ofstream(path) << "node: test-node\ncluster: test\n"
                        << (embedded ? "bus: embedded\n" : nats.profile_bus_yaml())
                        << "stop_timeout: 10s\n" << extra << "plugins:\n" << plugins_yaml;
    return path;
  }

  std::vector<std::string> run_args(const std::string& profile) {
    return {"--profile", profile, "--data-dir", dir.file("data"), "--plugin-path", test::test_plugin_dir()};
  }

  // Starts skiffd and waits for its "ready" line.
  std::unique_ptr<test::SkiffdProcess> start(const std::string& profile, const std::string& log = "skiffd.log") {
    auto process = std::make_unique<test::SkiffdProcess>(run_args(profile), dir.file(log));
    bool ready = wait_until([&] { return process->output_contains(" ready: ") || process->wait(0ms).has_value(); }, 20s);
    EXPECT_TRUE(ready) << process->output();
    EXPECT_TRUE(process->output_contains(" ready: ")) << process->output();
    return process;
  }

  kernel::v1::NodeStatus status() {
    return sdk::call<kernel::v1::NodeStatus>(*bus, sdk::Subjects("test", "test-node").kernel_status(),
                                             kernel::v1::StatusRequest(), 5s);
  }

  // A refusal: non-zero exit, and the one line that names the plugin, the problem and the fix.
  std::string refusal(const std::string& plugins_yaml) {
    auto [code, output] = test::run_skiffd(run_args(write_profile(plugins_yaml)));
    EXPECT_NE(code, 0) << output;
    EXPECT_EQ(output.find(" ready: "), std::string::npos) << output;
    EXPECT_TRUE(test::processes_matching(dir.path()).empty()) << "something was left running";
    return output;
  }
};

TEST_F(KernelTest, StartsInDependencyOrderAndStopsInReverse) {
  auto skiffd = start(write_profile("  - {name: needs, plugin: test-needs-echo}\n  - {name: echo, plugin: test-echo}\n"));
  EXPECT_LT(events.index("echo:started"), events.index("needs:started"));
  ASSERT_EQ(skiffd->terminate(), 0) << skiffd->output();
  ASSERT_TRUE(wait_until([&] { return events.has("echo:destroyed"); }));
  EXPECT_LT(events.index("needs:stopped"), events.index("echo:stopped"));
  EXPECT_LT(events.index("needs:destroyed"), events.index("echo:stopped"));
}

TEST_F(KernelTest, TwoPluginsUsingTheApiProtosShareOneProcess) {
  auto skiffd = start(write_profile("  - {name: echo, plugin: test-echo}\n  - {name: needs, plugin: test-needs-echo}\n"));
  sdk::Subjects subjects("test", "test-node");
  for (std::string name : {"echo", "needs"}) {
    kernel::v1::Ping ping;
    ping.set_message(name);
    auto pong = sdk::call<kernel::v1::Pong>(*bus, subjects.plugin(name, "ping"), ping, 5s);
    EXPECT_EQ(pong.message(), "pong:" + name);
    EXPECT_EQ(pong.served_by(), name);
  }
  EXPECT_EQ(skiffd->terminate(), 0);
}

// A plugin that leaves state on the node (kernel tables, routes) declares cleanup(): skiffd
// runs it when the plugin is taken out of the profile, and `skiffd cleanup NAME` on demand.
TEST_F(KernelTest, APluginTakenOutOfTheProfileIsCleanedUpAtTheNextStart) {
  std::string marker = dir.file("left-by-echo");
  auto first = start(write_profile("  - {name: echo, plugin: test-echo, config: {leaves: " + marker + "}}\n"));
  EXPECT_TRUE(std::filesystem::exists(marker));
  ASSERT_EQ(first->terminate(), 0) << first->output();
  EXPECT_TRUE(std::filesystem::exists(marker)) << "a stop is not a removal: the state stays for the next start";
  auto second = start(write_profile("  - {name: other, plugin: test-echo}\n"), "second.log");
  EXPECT_FALSE(std::filesystem::exists(marker)) << second->output();
  EXPECT_TRUE(second->output_contains("plugin echo is no longer in the profile")) << second->output();
  ASSERT_EQ(second->terminate(), 0);
}

TEST_F(KernelTest, CleanupCommandRemovesWhatAPluginLeft) {
  std::string marker = dir.file("left-by-echo");
  std::string profile = write_profile("  - {name: echo, plugin: test-echo, config: {leaves: " + marker + "}}\n");
  std::ofstream(marker) << "left\n";
  auto [code, output] = test::run_skiffd({"cleanup", "echo", "--profile", profile, "--data-dir", dir.file("data"),
                                          "--plugin-path", test::test_plugin_dir()});
  EXPECT_EQ(code, 0) << output;
  EXPECT_FALSE(std::filesystem::exists(marker)) << output;
  auto running = start(profile);  // a running node still uses what cleanup would remove
  std::ofstream(marker) << "left\n";
  auto [busy_code, busy] = test::run_skiffd({"cleanup", "echo", "--profile", profile, "--data-dir", dir.file("data"),
                                             "--plugin-path", test::test_plugin_dir()});
  EXPECT_NE(busy_code, 0);
  EXPECT_NE(busy.find("in use by another skiffd"), std::string::npos) << busy;
  EXPECT_TRUE(std::filesystem::exists(marker));
  ASSERT_EQ(running->terminate(), 0);
  auto [missing_code, missing] = test::run_skiffd({"cleanup", "nope", "--profile", profile, "--data-dir",
                                                   dir.file("data"), "--plugin-path", test::test_plugin_dir()});
  EXPECT_NE(missing_code, 0);
  EXPECT_NE(missing.find("no plugin named 'nope'"), std::string::npos) << missing;
}

TEST_F(KernelTest, StatusShowsPluginsAndHealth) {
  auto skiffd = start(write_profile(
      "  - {name: echo, plugin: test-echo}\n  - {name: sick, plugin: test-needs-echo, config: {health: degraded}}\n"));
  auto node = status();
  EXPECT_EQ(node.node(), "test-node");
  ASSERT_EQ(node.plugins_size(), 2);
  EXPECT_EQ(node.plugins(0).name(), "echo");
  EXPECT_EQ(node.plugins(0).state(), "running");
  EXPECT_EQ(node.plugins(0).health(), "ok");
  EXPECT_EQ(node.plugins(0).version(), "1.2.3");
  EXPECT_EQ(node.plugins(1).health(), "degraded");
  EXPECT_EQ(node.plugins(1).message(), "configured degraded");

  sdk::Reply metrics = bus->request(sdk::Subjects("test", "test-node").kernel_metrics(), "", 5s);
  ASSERT_TRUE(metrics.ok()) << metrics.status.message;
  EXPECT_NE(metrics.data.find("skiff_plugin_up{plugin=\"echo\",kind=\"test\",isolation=\"in-process\"} 1"),
            std::string::npos) << metrics.data;
  EXPECT_NE(metrics.data.find("skiff_plugin_healthy{plugin=\"sick\",kind=\"test\",isolation=\"in-process\"} 0.5"),
            std::string::npos) << metrics.data;

  auto [code, output] = test::run_skiffd({"status", "--data-dir", dir.file("data")});
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("node test-node (cluster test)"), std::string::npos) << output;
  EXPECT_NE(output.find("degraded"), std::string::npos) << output;
  EXPECT_EQ(skiffd->terminate(), 0);
}

TEST_F(KernelTest, PluginConfigReachesThePluginAndBadKeysAreRefusedWithLine) {
  auto skiffd = start(write_profile("  - name: echo\n    plugin: test-echo\n    config:\n      greeting: ahoy\n"));
  kernel::v1::Ping ping;
  ping.set_message("x");
  EXPECT_EQ(sdk::call<kernel::v1::Pong>(*bus, sdk::Subjects("test", "test-node").plugin("echo", "ping"), ping, 5s).message(),
            "ahoy:x");
  EXPECT_EQ(skiffd->terminate(), 0);

  std::string output = refusal("  - name: echo\n    plugin: test-echo\n    config:\n      greting: ahoy\n");
  EXPECT_NE(output.find("line 11"), std::string::npos) << output;
  EXPECT_NE(output.find("unknown config key 'greting'"), std::string::npos) << output;
  EXPECT_NE(output.find("skiffd plugins --config test-echo"), std::string::npos) << output;

  output = refusal("  - name: echo\n    plugin: test-echo\n    config:\n      crash_after: often\n");
  EXPECT_NE(output.find("'crash_after' must be a duration"), std::string::npos) << output;
}

TEST_F(KernelTest, RefusesAMissingRequiredPlugin) {
  std::string output = refusal("  - name: no-such-store\n");
  EXPECT_NE(output.find("plugin no-such-store: no-such-store.so not found in"), std::string::npos) << output;
  EXPECT_NE(output.find("optional: true"), std::string::npos) << output;
}

TEST_F(KernelTest, SkipsAMissingOptionalPlugin) {
  auto skiffd = start(write_profile("  - {name: no-such-store, optional: true}\n  - {name: echo, plugin: test-echo}\n"));
  EXPECT_TRUE(skiffd->output_contains("plugin no-such-store not installed (no-such-store.so not found in ")) << skiffd->output();
  EXPECT_TRUE(events.has("echo:started"));
  EXPECT_EQ(skiffd->terminate(), 0);
}

TEST_F(KernelTest, RefusesFilesThatAreNotPlugins) {
  EXPECT_NE(refusal("  - {name: test-not-a-plugin}\n").find("is not a Skiff plugin"), std::string::npos);
  EXPECT_NE(refusal("  - {name: test-small-descriptor}\n").find("descriptor too small"), std::string::npos);
  EXPECT_NE(refusal("  - {name: test-short-future-layout}\n").find("layout 99 needs at least"), std::string::npos);
  EXPECT_NE(refusal("  - {name: test-future-api}\n").find("supports SDK API v7–v9"), std::string::npos);
}

// The real kubelet speaks skiff.runtime.v1; a runtime built for a v2 of that contract is
// refused before either one's code runs, in one line naming both.
TEST_F(KernelTest, RefusesARuntimeOfAnotherContractVersionForTheKubelet) {
  std::string output = refusal("  - {name: test-runtime-v2}\n  - {name: kubelet}\n");
  EXPECT_NE(output.find("plugin kubelet: requires skiff.runtime.v1, but only other versions are offered "
                        "(test-runtime-v2 provides skiff.runtime.v2)"),
            std::string::npos)
      << output;
  EXPECT_FALSE(events.has("test-runtime-v2:created")) << output;
}

TEST_F(KernelTest, RefusesManifestMismatch) {
  std::string output = refusal("  - {name: echo, plugin: test-echo, path: " + test::test_plugin_dir() + "/test-store-a.so}\n");
  EXPECT_NE(output.find("holds plugin 'test-store-a', not 'test-echo'"), std::string::npos) << output;
}

TEST_F(KernelTest, RefusesExclusiveConflictsUnmetRequiresAndCycles) {
  std::string output = refusal("  - {name: test-store-a}\n  - {name: test-store-b}\n");
  EXPECT_NE(output.find("plugin test-store-b: provides 'test-store', which plugin test-store-a already provides"),
            std::string::npos) << output;
  output = refusal("  - {name: test-needs-echo}\n");
  EXPECT_NE(output.find("plugin test-needs-echo: requires 'echo', which no plugin in the profile provides"),
            std::string::npos) << output;
  output = refusal("  - {name: test-cycle-a}\n  - {name: test-cycle-b}\n");
  EXPECT_NE(output.find("test-cycle-a → test-cycle-b → test-cycle-a require each other"), std::string::npos) << output;
  EXPECT_TRUE(events.events().empty()) << "no plugin code may run before the checks pass";
}

TEST_F(KernelTest, CreateFailureStopsWhatAlreadyStarted) {
  std::string output = refusal("  - {name: echo, plugin: test-echo}\n"
                               "  - {name: bad, plugin: test-needs-echo, config: {fail_create: true}}\n");
  EXPECT_NE(output.find("plugin bad: create failed: configured to fail in create"), std::string::npos) << output;
  ASSERT_TRUE(wait_until([&] { return events.has("echo:destroyed"); }));
  EXPECT_LT(events.index("echo:started"), events.index("echo:stopped"));
}

TEST_F(KernelTest, StartFailureStopsWhatAlreadyStartedInReverse) {
  std::string output = refusal("  - {name: echo, plugin: test-echo}\n"
                               "  - {name: also, plugin: test-needs-echo}\n"
                               "  - {name: bad, plugin: test-needs-echo, config: {fail_start: true}}\n");
  EXPECT_NE(output.find("plugin bad: start failed: configured to fail in start"), std::string::npos) << output;
  ASSERT_TRUE(wait_until([&] { return events.has("echo:destroyed") && events.has("bad:destroyed"); }));
  EXPECT_LT(events.index("also:stopped"), events.index("echo:stopped"));
  EXPECT_FALSE(events.has("bad:started"));
}

TEST_F(KernelTest, UnreachableBusIsOneClearErrorNotAHang) {
  std::string path = dir.file("profile.yaml");
  std::ofstream(path) << "node: test-node\nbus: {url: \"nats://127.0.0.1:1\", token: x, connect_timeout: 1s}\n"
                      << "plugins:\n  - {name: echo, plugin: test-echo}\n";
  auto start = std::chrono::steady_clock::now();
  auto [code, output] = test::run_skiffd(run_args(path), 20s);
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find("bus: cannot connect to nats://127.0.0.1:1"), std::string::npos) << output;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST_F(KernelTest, ADataDirServesOneKernelAtATime) {
  auto first = start(write_profile("  - {name: echo, plugin: test-echo}\n"));
  auto [code, output] = test::run_skiffd(run_args(dir.file("profile.yaml")));
  EXPECT_EQ(code, 1);
  EXPECT_NE(output.find("is in use by another skiffd (pid " + std::to_string(first->pid()) + ")"), std::string::npos)
      << output;
  EXPECT_EQ(first->terminate(), 0);
}

TEST_F(KernelTest, EmbeddedBusStartsWithAPrivateSecretAndStopsWithTheNode) {
  auto skiffd = start(write_profile("  - {name: echo, plugin: test-echo}\n", "", true));
  std::string connection = dir.file("data/connection.yaml");
  struct stat info{};
  ASSERT_EQ(stat(connection.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(test::processes_matching(dir.file("data/bus/nats.conf")).size(), 1u);
  EXPECT_TRUE(std::filesystem::is_directory(dir.file("data/bus/jetstream/jetstream"))) << "JetStream keeps its files in the data dir";

  auto [code, output] = test::run_skiffd({"status", "--data-dir", dir.file("data")});
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("echo"), std::string::npos) << output;
  EXPECT_NE(output.find("running"), std::string::npos) << output;

  EXPECT_EQ(skiffd->terminate(), 0) << skiffd->output();
  EXPECT_TRUE(test::processes_matching(dir.file("data/bus/nats.conf")).empty());
  EXPECT_FALSE(std::filesystem::exists(connection));
}

// The master's own bus password (user skiffd, in its connection.yaml) outlives a restart, as
// the node users minted by `skiffd node-credentials` do.
TEST_F(KernelTest, EmbeddedBusKeepsItsTokenAcrossARestart) {
  auto profile = write_profile("  - {name: echo, plugin: test-echo}\n", "", true);
  auto token = [&] {
    std::ifstream in(dir.file("data/connection.yaml"));
    std::string line;
    while (std::getline(in, line))
      if (auto at = line.find("password:"); at != std::string::npos) return line.substr(at);
    return std::string();
  };
  auto first = start(profile);
  std::string before = token();
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(first->terminate(), 0) << first->output();
  auto second = start(profile, "skiffd-again.log");
  EXPECT_EQ(token(), before);
  struct stat info{};
  ASSERT_EQ(stat(dir.file("data/bus/token").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(second->terminate(), 0) << second->output();
}

TEST_F(KernelTest, EmbeddedBusIsRestartedWhenItDiesAndPluginsReconnect) {
  auto skiffd = start(write_profile("  - {name: echo, plugin: test-echo}\n", "supervisor: {restart_backoff: 50ms}\n", true));
  auto servers = test::processes_matching(dir.file("data/bus/nats.conf"));
  ASSERT_EQ(servers.size(), 1u);
  kill(servers[0], SIGKILL);
  ASSERT_TRUE(wait_until([&] { return skiffd->output_contains("embedded nats-server restarted"); }, 15s))
      << skiffd->output();
  EXPECT_TRUE(skiffd->output_contains("embedded nats-server exited with signal 9")) << skiffd->output();
  auto now = test::processes_matching(dir.file("data/bus/nats.conf"));
  ASSERT_EQ(now.size(), 1u);
  EXPECT_NE(now[0], servers[0]);
  // Same port, same secret: the plugin's connection comes back and it answers again.
  kernel::ConnectionInfo info = kernel::read_connection_info(dir.file("data"));
  auto client = sdk::connect_bus(sdk::BusOptions::from_yaml(info.bus_yaml));
  kernel::v1::Ping ping;
  ping.set_message("again");
  kernel::v1::Pong pong;
  ASSERT_TRUE(wait_until([&] {
    try {
      pong = sdk::call<kernel::v1::Pong>(*client, sdk::Subjects("test", "test-node").plugin("echo", "ping"), ping, 1s);
      return true;
    } catch (const sdk::Error&) {
      return false;
    }
  }, 15s));
  EXPECT_EQ(pong.message(), "pong:again");
  EXPECT_EQ(skiffd->terminate(), 0) << skiffd->output();
}

TEST_F(KernelTest, IsolatedPluginRunsInAChildAndReportsHealth) {
  auto skiffd = start(write_profile("  - {name: echo, plugin: test-echo, isolation: process}\n"));
  ASSERT_TRUE(events.has("echo:started"));
  auto node = status();
  ASSERT_EQ(node.plugins_size(), 1);
  EXPECT_EQ(node.plugins(0).isolation(), "process");
  EXPECT_EQ(node.plugins(0).state(), "running");
  EXPECT_EQ(node.plugins(0).health(), "ok");
  EXPECT_GT(node.plugins(0).pid(), 0);
  EXPECT_NE(node.plugins(0).pid(), skiffd->pid());
  EXPECT_EQ(skiffd->terminate(), 0);
  EXPECT_TRUE(events.has("echo:stopped"));
  EXPECT_TRUE(test::processes_matching(dir.path()).empty());
}

TEST_F(KernelTest, CrashedIsolatedPluginIsRestartedThenMarkedFailed) {
  auto skiffd = start(write_profile(
      "  - {name: echo, plugin: test-echo}\n"
      "  - {name: crasher, plugin: test-needs-echo, isolation: process, config: {crash_after: 200ms}}\n",
      "supervisor: {restart_backoff: 50ms, max_restarts: 3, restart_window: 1m}\n"));
  ASSERT_TRUE(wait_until([&] { return events.count("crasher:started") >= 2; }, 20s)) << skiffd->output();
  ASSERT_TRUE(wait_until([&] { return status().plugins(1).state() == "failed"; }, 30s)) << skiffd->output();
  auto node = status();  // the kernel stays up and answers
  EXPECT_EQ(node.plugins(1).restarts(), 3u);
  EXPECT_EQ(events.count("crasher:started"), 4);
  EXPECT_NE(node.plugins(1).message().find("signal 6"), std::string::npos) << node.plugins(1).message();
  EXPECT_EQ(node.plugins(0).state(), "running");
  EXPECT_TRUE(skiffd->output_contains("giving up")) << skiffd->output();
  EXPECT_EQ(skiffd->terminate(), 0);
}

TEST_F(KernelTest, IsolatedPluginThatFailsToStartAbortsTheNode) {
  std::string output = refusal("  - {name: echo, plugin: test-echo}\n"
                               "  - {name: bad, plugin: test-needs-echo, isolation: process, config: {fail_start: true}}\n");
  EXPECT_NE(output.find("plugin bad: start failed (isolated): plugin bad: start failed: configured to fail in start"),
            std::string::npos) << output;
  ASSERT_TRUE(wait_until([&] { return events.has("echo:stopped"); }));
}

TEST_F(KernelTest, PluginsCommandListsManifestsAndConfigTables) {
  auto [code, output] = test::run_skiffd({"plugins", "--plugin-path", test::test_plugin_dir()});
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("test-store-a"), std::string::npos) << output;
  EXPECT_NE(output.find("test-store!"), std::string::npos) << output;
  EXPECT_NE(output.find("skipped: plugin"), std::string::npos) << "bad files are reported, not fatal";

  std::tie(code, output) = test::run_skiffd({"plugins", "--plugin-path", test::test_plugin_dir(), "--config", "test-echo"});
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("crash_after"), std::string::npos) << output;
  EXPECT_NE(output.find("duration"), std::string::npos) << output;
  EXPECT_NE(output.find("abort() this long after start"), std::string::npos) << output;
}

}  // namespace
