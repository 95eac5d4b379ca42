// Cluster logging's shipping side on a real node: a real nats-server with JetStream, skiffd
// with store-lmdb and the apiserver, and a worker skiffd with a runtime (runtime-sim, or
// runtime-docker with a busybox loop) and the kubelet in a child process of its own, so it can
// be killed -9 while the containers live on. The container writes numbered lines; the test
// owns the log stream (as the logging addon would) and counts what arrives: all in order with
// the pod's metadata, no line lost and at most a batch again after the kubelet is killed, and
// delivered after the bus was away.
#include <gtest/gtest.h>
#include <signal.h>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <regex>
#include <utility>

#include "command.hpp"
#include "nats_server.hpp"
#include "plugin_node.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/logging/v1/logging.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/jetstream.hpp"
#include "test_images.hpp"
#include "wait.hpp"

namespace {

skiff::test::NatsServerSettings with_jetstream() {
  skiff::test::NatsServerSettings settings;
  settings.jetstream = true;
  return settings;
}

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;

// One node name per test process: ctest runs these tests side by side on one dockerd, and a
// kubelet removes the containers of its node name that it does not know.
const std::string kWorker = "logship-" + std::to_string(::getpid());
constexpr int kBatchLines = 50;
constexpr const char* kDocker = "/usr/bin/docker";

// The worker node's containers in Docker, removed before and after each Docker test.
void remove_worker_containers() {
  if (::access(kDocker, X_OK) != 0) return;
  std::string ids = test::run_command({kDocker, "ps", "-aq", "--filter", "label=io.skiff.node=" + kWorker}).out;
  std::vector<std::string> argv = {kDocker, "rm", "-f"};
  std::string id;
  for (char c : ids + "\n") {
    if (c != '\n') id += c;
    else if (!id.empty()) argv.push_back(std::exchange(id, ""));
  }
  if (argv.size() > 3) test::run_command(argv);
}

class LogShipping : public ::testing::TestWithParam<std::string> {
 protected:
  static bool docker_runtime() { return GetParam() == "docker"; }

  void SetUp() override {
    if (docker_runtime()) {
      test::import_test_images();
      remove_worker_containers();
    }
    control.start();
    bus = sdk::connect_bus(nats.options());
    js = bus->jetstream();
    sdk::StreamSettings settings;
    settings.name = subjects.log_stream();
    settings.subjects = {subjects.prefix() + ".logs.>"};
    js->ensure_stream(settings);
    std::string runtime = docker_runtime() ? "  - name: runtime-docker\n    config: {network: docker-bridge}\n"
                                           : "  - name: runtime-sim\n";
    worker = std::make_unique<test::PluginNode>(
        nats,
        runtime + "  - name: kubelet\n    isolation: process\n"
                  "    config: {relist_period: 100ms, server_address: \"127.0.0.1:0\", log_batch_interval: 50ms, "
                  "log_batch_lines: " + std::to_string(kBatchLines) + "}\n",
        kWorker);
    worker->start();
  }
  void TearDown() override {
    worker.reset();
    if (docker_runtime()) remove_worker_containers();
  }

  // A pod on the worker whose container writes "line <n>" ("sim: line <n>") every `every`.
  std::string counting_pod(const std::string& name, const std::string& every = "20ms") {
    core::Pod pod;
    pod.mutable_metadata()->set_name(name);
    pod.mutable_metadata()->set_namespace_("default");
    (*pod.mutable_metadata()->mutable_labels())["app"] = "counter";
    pod.mutable_spec()->set_node_name(kWorker);
    pod.mutable_spec()->set_termination_grace_period_seconds(1);  // busybox's sh ignores SIGTERM
    auto* c = pod.mutable_spec()->add_containers();
    c->set_name("counter");
    c->set_image("skiff/busybox:1");
    auto* env = c->add_env();
    env->set_name("SIM_LOG_EVERY");
    env->set_value(every);
    std::string seconds = every == "20ms" ? "0.02" : "0.05";
    for (const char* part : {"sh", "-c"}) c->add_command(part);
    c->add_command("i=1; while true; do echo line $i; i=$((i+1)); sleep " + seconds + "; done");
    return sdk::ApiClient(*bus, subjects).create(pod).metadata().uid();
  }

  std::vector<logging::v1::LogLine> shipped(const std::string& uid) {
    std::vector<logging::v1::LogLine> out;
    for (const auto& m : js->read(subjects.log_stream(), subjects.log_lines("default", "*", uid, "counter"),
                                  sdk::ReadFrom::first(), 1000000)) {
      logging::v1::LogLine line;
      EXPECT_TRUE(line.ParseFromString(m.data));
      out.push_back(line);
    }
    return out;
  }

  // The numbers of the counted lines, in stream order.
  static std::vector<int> numbers(const std::vector<logging::v1::LogLine>& lines) {
    static const std::regex counted(R"((?:sim: )?line (\d+))");
    std::vector<int> out;
    std::smatch m;
    for (const auto& line : lines) {
      std::string text = line.line();
      if (std::regex_match(text, m, counted)) out.push_back(std::stoi(m[1]));
    }
    return out;
  }
  int highest(const std::string& uid) {
    auto n = numbers(shipped(uid));
    return n.empty() ? 0 : *std::max_element(n.begin(), n.end());
  }

  // Every number from 1 to the highest arrived; returns how many came more than once.
  static int expect_none_lost(const std::vector<int>& seen) {
    std::map<int, int> count;
    for (int n : seen) ++count[n];
    int highest = count.empty() ? 0 : count.rbegin()->first;
    int again = 0;
    for (int n = 1; n <= highest; ++n) {
      EXPECT_TRUE(count.count(n)) << "line " << n << " was lost (highest " << highest << ")";
      if (count[n] > 1) again += count[n] - 1;
    }
    return again;
  }

  pid_t kubelet_child() {
    for (pid_t pid : test::processes_matching(worker->dir().path()))
      if (pid != worker->pid()) return pid;
    return -1;
  }

  test::NatsServer nats{with_jetstream()};
  sdk::Subjects subjects{"test", kWorker};
  test::PluginNode control{nats,
                           "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
                           "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n",
                           "control"};
  std::unique_ptr<test::PluginNode> worker;
  sdk::BusPtr bus;
  std::unique_ptr<sdk::JetStream> js;
};

TEST_P(LogShipping, EveryLineArrivesInOrderWithItsPod) {
  std::string uid = counting_pod("counter");
  ASSERT_TRUE(test::wait_until([&] { return highest(uid) >= 40; }, 30s)) << worker->output();
  auto lines = shipped(uid);
  auto seen = numbers(lines);
  for (std::size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], static_cast<int>(i) + 1) << "in order, none twice";
  const auto& line = lines.back();
  EXPECT_EQ(line.cluster(), "test");
  EXPECT_EQ(line.node(), kWorker);
  EXPECT_EQ(line.namespace_(), "default");
  EXPECT_EQ(line.pod(), "counter");
  EXPECT_EQ(line.pod_uid(), uid);
  EXPECT_EQ(line.container(), "counter");
  EXPECT_EQ(line.stream(), "stdout");
  EXPECT_EQ(line.attempt(), 0);
  EXPECT_EQ(line.pod_labels().at("app"), "counter");
  EXPECT_LE(line.part_count(), 1);
  for (std::size_t i = 1; i < lines.size(); ++i)
    EXPECT_LE(lines[i - 1].time_unix_nano(), lines[i].time_unix_nano()) << "times go forward";
  EXPECT_GT(line.time_unix_nano(), 1700000000000000000);
}

TEST_P(LogShipping, AKubeletKilledMidwayLosesNothingAndRepeatsAtMostABatch) {
  std::string uid = counting_pod("restarted");
  ASSERT_TRUE(test::wait_until([&] { return highest(uid) >= 30; }, 30s)) << worker->output();
  std::string positions = worker->dir().file("data/plugins/kubelet/logs/positions");
  ASSERT_TRUE(test::wait_until([&] {
    std::error_code ec;
    auto size = std::filesystem::file_size(positions, ec);
    return !ec && size > 0;
  }, 10s))
      << "the positions the restarted kubelet resumes from";
  pid_t child = kubelet_child();
  ASSERT_GT(child, 0) << "the kubelet's own process";
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int before = highest(uid);
  // The supervisor starts the kubelet again; it resumes from its positions file.
  ASSERT_TRUE(test::wait_until([&] { return kubelet_child() > 0 && kubelet_child() != child; }, 30s)) << worker->output();
  ASSERT_TRUE(test::wait_until([&] { return highest(uid) >= before + 100; }, 60s)) << worker->output();
  int again = expect_none_lost(numbers(shipped(uid)));
  EXPECT_LE(again, kBatchLines) << "more than one batch shipped twice";
}

TEST_P(LogShipping, LinesWrittenWhileTheBusIsAwayArriveAfter) {
  std::string uid = counting_pod("patient", "50ms");
  ASSERT_TRUE(test::wait_until([&] { return highest(uid) >= 10; }, 30s)) << worker->output();
  auto away = std::chrono::steady_clock::now();
  nats.stop();
  // The container writes on while nothing can reach the bus: the scenario is the outage itself.
  std::this_thread::sleep_for(30s);  // the outage issue 21 names
  nats.start();
  auto back = std::chrono::steady_clock::now();
  int written_meanwhile = static_cast<int>((back - away) / 50ms);
  ASSERT_TRUE(test::wait_until(
      [&] {
        try {
          return highest(uid) >= 10 + written_meanwhile;
        } catch (const std::exception&) {
          return false;  // our own connection is still coming back
        }
      },
      60s))
      << worker->output();
  int again = expect_none_lost(numbers(shipped(uid)));
  EXPECT_LE(again, kBatchLines);
}

TEST_P(LogShipping, ADeletedPodsLinesAreShippedToItsLastOne) {
  std::string uid = counting_pod("deleted");
  ASSERT_TRUE(test::wait_until([&] { return highest(uid) >= 10; }, 30s)) << worker->output();
  sdk::ApiClient api(*bus, subjects);
  api.erase<core::Pod>("default", "deleted");
  ASSERT_TRUE(test::wait_until([&] {
    try {
      api.get<core::Pod>("default", "deleted");
      return false;
    } catch (const sdk::Error& e) {
      return e.status().code == 404;
    }
  }, 60s)) << "the pod's deletion did not finish";
  // Its container was read to the end before it was removed; the last batch follows shortly.
  auto has_last_line = [&] {
    auto lines = shipped(uid);
    return std::any_of(lines.begin(), lines.end(), [](const logging::v1::LogLine& l) {
      return l.line().find("sim: container counter stopped") != std::string::npos;
    });
  };
  if (!docker_runtime()) EXPECT_TRUE(test::wait_until(has_last_line, 5s)) << "the last line, written as it stopped";
  expect_none_lost(numbers(shipped(uid)));
}

INSTANTIATE_TEST_SUITE_P(Runtimes, LogShipping, ::testing::Values("sim", "docker"),
                         [](const auto& info) { return info.param; });

}  // namespace
