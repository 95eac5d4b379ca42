// Cluster-level logging on a real cluster (ctest label "cluster", LAN 10.213.14): every node's
// kubelet ships its containers' lines to the bus's JetStream and the master's logging addon
// answers logging.skiff.io/v1 podlogs through the apiserver. A deleted pod's lines stay
// queryable; a label query spans pods on both workers in time order; a worker's skiffd killed
// with SIGKILL loses no line and repeats at most one batch; `skiffd logs` reads the same
// through the kubeconfig. Traffic stays in the lab's namespaces and bridge.
#include <boost/json.hpp>

#include <map>
#include <set>
#include <sstream>

#include "cluster_fixture.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace json = boost::json;

const std::string kData = SKIFF_TEST_CLUSTER_DIR;
const std::string kLan = "10.213.14";
const std::string kCluster = "skg";
const std::string kMaster = kCluster + "-master", kWorker1 = kCluster + "-worker-1", kWorker2 = kCluster + "-worker-2";

struct Line {
  std::string pod, node, text, time;
};

// RFC 3339 with the fraction padded to nine digits, so that times compare as strings (the API
// trims trailing zeros, as Go's RFC3339Nano does).
std::string comparable_time(std::string time) {
  if (!time.empty() && time.back() == 'Z') time.pop_back();
  auto dot = time.find('.');
  std::string fraction = dot == std::string::npos ? "" : time.substr(dot + 1);
  return time.substr(0, dot) + "." + fraction + std::string(9 - std::min<std::size_t>(9, fraction.size()), '0');
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

class Logging : public test::ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_lab({kData, kLan, "skiff-lan-g", kCluster}); }
  static void TearDownTestSuite() {
    if (lab) {
      kubectl({"delete", "pods", "-l", "test=logging", "--wait=true", "--timeout=60s"});
      test::wait_until([] { return kubectl({"get", "pods", "-l", "test=logging", "-o", "name"}).out.empty(); }, 60s, 200ms);
    }
    stop_lab();
  }

  // The podlogs query through the apiserver, as kubectl's credentials allow.
  static std::vector<Line> query(const std::string& path, const std::string& parameters) {
    auto result = kubectl({"get", "--raw", "/apis/logging.skiff.io/v1/namespaces/default/" + path + "?" + parameters});
    std::vector<Line> lines;
    if (result.exit_code != 0) {
      ADD_FAILURE() << path << "?" << parameters << ": " << result.both();
      return lines;
    }
    json::value list = json::parse(result.out);  // kept: the loop reads into it
    for (const auto& item : list.at("items").as_array()) {
      const auto& o = item.as_object();
      lines.push_back({std::string(o.at("pod").as_string()), std::string(o.at("node").as_string()),
                       std::string(o.at("line").as_string()), comparable_time(std::string(o.at("time").as_string()))});
    }
    return lines;
  }

  // A busybox loop printing "<prefix> <n>" every `pause` (usleep microseconds), `count` times
  // (0: forever), then sleeping.
  static std::string counter(const std::string& prefix, int count, int pause_us) {
    std::string condition = count > 0 ? "[ $i -lt " + std::to_string(count) + " ]" : "true";
    return "i=0; while " + condition + "; do echo " + prefix + " $i; i=$((i+1)); usleep " + std::to_string(pause_us) +
           "; done; exec sleep 100000";
  }
};

TEST_F(Logging, ADeletedPodsLinesAreStillQueryable) {
  create_pod("gone", kWorker1, container("main", counter("gone", 50, 1000)), "test: logging, app: gone");
  running("gone");
  std::vector<Line> lines;
  ASSERT_TRUE(test::wait_until([&] { return (lines = query("podlogs/gone", "limit=100")).size() == 50; }, 30s, 500ms))
      << lines.size() << " lines";
  ok({"delete", "pod", "gone", "--wait=true", "--timeout=60s"});
  EXPECT_NE(kubectl({"logs", "gone"}).exit_code, 0) << "kubectl logs of a deleted pod fails, as in Kubernetes";
  lines = query("podlogs/gone", "limit=100");
  ASSERT_EQ(lines.size(), 50u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].text, "gone " + std::to_string(i));
    EXPECT_EQ(lines[i].node, kWorker1);
  }
  auto filtered = query("podlogs/gone", "grep=" + std::string("gone%204[0-9]$"));
  EXPECT_EQ(filtered.size(), 10u) << "gone 40 … gone 49";
}

TEST_F(Logging, ALabelQueryInterleavesPodsOnBothWorkersByTime) {
  create_pod("chat-a", kWorker1, container("main", counter("a", 20, 100000)), "test: logging, app: chat");
  create_pod("chat-b", kWorker1, container("main", counter("b", 20, 100000)), "test: logging, app: chat");
  create_pod("chat-c", kWorker2, container("main", counter("c", 20, 100000)), "test: logging, app: chat");
  for (const auto* pod : {"chat-a", "chat-b", "chat-c"}) running(pod);
  std::vector<Line> lines;
  ASSERT_TRUE(test::wait_until([&] { return (lines = query("podlogs", "labelSelector=app%3Dchat")).size() == 60; }, 30s,
                               500ms)) << lines.size() << " lines";
  std::set<std::string> pods, nodes;
  bool interleaved = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    pods.insert(lines[i].pod);
    nodes.insert(lines[i].node);
    if (i > 0) {
      EXPECT_LE(lines[i - 1].time, lines[i].time) << "oldest first, by the runtime's time";
      interleaved |= lines[i - 1].pod != lines[i].pod;
    }
  }
  EXPECT_EQ(pods, (std::set<std::string>{"chat-a", "chat-b", "chat-c"}));
  EXPECT_EQ(nodes, (std::set<std::string>{kWorker1, kWorker2}));
  EXPECT_TRUE(interleaved);
  auto newest = query("podlogs", "labelSelector=app%3Dchat&reverse=true&limit=5");
  ASSERT_EQ(newest.size(), 5u);
  EXPECT_GE(newest[0].time, newest[4].time) << "newest first";
}

// Sequence numbers every 5 ms; worker-2's skiffd killed with SIGKILL and started again while
// its container keeps writing: every number arrives, and a number seen twice only within the
// last unacknowledged batch.
TEST_F(Logging, AWorkerKilledWithSigkillLosesNoLine) {
  create_pod("seq", kWorker2, container("main", counter("seq", 0, 5000)), "test: logging, app: seq");
  running("seq");
  auto highest = [] {
    auto lines = query("podlogs/seq", "reverse=true&limit=1");
    return lines.empty() ? -1 : std::stoi(lines[0].text.substr(4));
  };
  ASSERT_TRUE(test::wait_until([&] { return highest() >= 100; }, 30s, 500ms));
  auto killed = lab->script({"kill", kWorker2});
  ASSERT_EQ(killed.exit_code, 0) << killed.both();
  auto started = lab->script({"start", kWorker2});
  ASSERT_EQ(started.exit_code, 0) << started.both();
  int target = 0;
  ASSERT_TRUE(test::wait_until([&] { return highest() >= 0; }, 10s));
  target = highest() + 300;
  ASSERT_TRUE(test::wait_until([&] { return highest() >= target; }, 60s, 500ms)) << "shipping resumed";

  auto lines = query("podlogs/seq", "limit=100000");
  std::map<int, int> seen;
  for (const auto& line : lines) ++seen[std::stoi(line.text.substr(4))];
  int top = seen.rbegin()->first, missing = 0, repeated = 0;
  for (int n = 0; n <= top; ++n) {
    missing += seen.count(n) == 0;
    repeated += seen.count(n) && seen[n] > 1 ? seen[n] - 1 : 0;
  }
  EXPECT_EQ(missing, 0) << "of " << top + 1 << " lines";
  EXPECT_LE(repeated, 500) << "at most one batch (log_batch_lines) again";
}

TEST_F(Logging, SkiffdLogsReadsThroughTheKubeconfig) {
  create_pod("cli", kWorker1, container("main", counter("cli", 30, 1000)), "test: logging, app: cli");
  running("cli");
  ASSERT_TRUE(test::wait_until([&] { return query("podlogs/cli", "").size() == 30; }, 30s, 500ms));
  auto result = test::run_command({SKIFF_TEST_SKIFFD, "logs", "--kubeconfig", lab->kubeconfig(), "-n", "default", "cli",
                                   "--grep", "cli 2[0-9]$", "--limit", "5"});
  ASSERT_EQ(result.exit_code, 0) << result.both();
  auto printed = lines_of(result.out);
  ASSERT_EQ(printed.size(), 5u) << result.out;
  EXPECT_NE(printed[0].find("cli 20"), std::string::npos) << printed[0];
  auto bad = test::run_command({SKIFF_TEST_SKIFFD, "logs", "--kubeconfig", lab->kubeconfig(), "--grep", "(unclosed"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.both().find("grep"), std::string::npos) << "a bad expression is named: " << bad.both();
}

}  // namespace
