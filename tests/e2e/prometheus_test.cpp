// Monitoring end to end on one node (store, apiserver, scheduler, controller-manager, the
// metrics addon, kubelet on Docker): a real Prometheus scrapes the kubelet's HTTPS port (its
// /metrics, /metrics/resource, /metrics/cadvisor) with a bearer token and the node's CA, and the
// apiserver's /metrics; `kubectl top` shows a busy loop's core and a pod's 50 MiB and agrees
// with PromQL and /proc; metrics of a deleted pod go; an HPA scales a Deployment up under load
// and back down after its (shortened) stabilization window.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <memory>
#include <unistd.h>

#include "api_node.hpp"
#include "http_client.hpp"
#include "kubelet_docker_fixture.hpp"
#include "skiff/api/stats/v1alpha1/stats.pb.h"
#include "skiff/testing/process.hpp"
#include "temp_dir.hpp"
#include "test_images.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace json = boost::json;

// One node name per test process: ctest runs this suite's tests side by side, and each one's
// container clean-up must touch only its own node's containers.
const std::string kNode = "prom-e2e-" + std::to_string(::getpid());
constexpr const char* kPrometheus = "/usr/bin/prometheus";

class PrometheusScrape : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { test::import_test_images(); }

  test::DockerCleanup containers{kNode};
  test::ApiNode node{"",
                     "  - name: scheduler-default\n    config: {leader_elect: false}\n"
                     "  - name: controller-manager\n    config: {leader_elect: false, horizontal_pod_autoscaler_sync_period: 1s,"
                     " horizontal_pod_autoscaler_downscale_stabilization: 8s, horizontal_pod_autoscaler_cpu_initialization_period: 1s,"
                     " horizontal_pod_autoscaler_initial_readiness_delay: 1s}\n"
                     "  - name: metrics\n    config: {period: 2s, scrape_timeout: 1500ms}\n"
                     "  - name: runtime-docker\n    config: {network: docker-bridge}\n"
                     "  - name: kubelet\n    config: {relist_period: 500ms, server_address: \"127.0.0.1:0\"}\n",
                     kNode};
  test::HttpClient api{node.port(), node.ca_file(), node.token()};
  test::TempDir prometheus_dir;
  int prometheus_port = 0;
  std::unique_ptr<test::ChildProcess> prometheus;

  void SetUp() override {
    ASSERT_TRUE(std::ifstream(kPrometheus).good()) << "no " << kPrometheus << "; scripts/deps.sh test installs it";
  }
  void TearDown() override {
    if (prometheus) EXPECT_TRUE(prometheus->terminate(30s).has_value()) << "Prometheus did not stop on SIGTERM";
  }

  int kubelet_port() {
    auto reply = api.request("GET", std::string("/api/v1/nodes/") + kNode);
    return json::parse(reply.body).at_pointer("/status/daemonEndpoints/kubeletEndpoint/Port").to_number<int>();
  }

  std::string job(const std::string& name, const std::string& path, int port, const std::string& ca_file) {
    return "  - job_name: " + name + "\n    scheme: https\n    metrics_path: " + path +
           "\n    tls_config: {ca_file: " + ca_file + "}\n    authorization: {credentials: " + node.token() +
           "}\n    static_configs: [{targets: ['127.0.0.1:" + std::to_string(port) + "']}]\n";
  }

  void start_prometheus() {
    std::string kubelet_ca = node.node().dir().file("data/plugins/kubelet/pki/ca.crt");
    int kubelet = kubelet_port();
    std::string config = "global: {scrape_interval: 1s, scrape_timeout: 1s}\nscrape_configs:\n" +
                         job("kubelet", "/metrics", kubelet, kubelet_ca) +
                         job("kubelet-resource", "/metrics/resource", kubelet, kubelet_ca) +
                         job("kubelet-cadvisor", "/metrics/cadvisor", kubelet, kubelet_ca) +
                         job("apiserver", "/metrics", node.port(), node.ca_file());
    std::ofstream(prometheus_dir.file("prometheus.yml")) << config;
    prometheus_port = test::free_port();
    prometheus = std::make_unique<test::ChildProcess>(test::SpawnSpec{
        {kPrometheus, "--config.file=" + prometheus_dir.file("prometheus.yml"),
         "--storage.tsdb.path=" + prometheus_dir.file("data"),
         "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)},
        {},
        "",
        prometheus_dir.file("prometheus.log"),
        ""});
  }

  // GET on Prometheus' HTTP API; null when it does not answer (yet).
  json::value prometheus_get(const std::string& path_and_query) {
    auto r = test::run_command({"curl", "-sf", "--max-time", "5", "http://127.0.0.1:" + std::to_string(prometheus_port) + path_and_query});
    if (r.exit_code != 0) return nullptr;
    return json::parse(r.out);
  }
  json::array query(const std::string& promql) {
    std::string encoded;
    for (unsigned char c : promql) {
      if (std::isalnum(c) || c == '_' || c == '-' || c == '.') encoded += static_cast<char>(c);
      else {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%%%02X", c);
        encoded += hex;
      }
    }
    json::value answer = prometheus_get("/api/v1/query?query=" + encoded);
    if (answer.is_null()) return {};
    return answer.at_pointer("/data/result").as_array();
  }
  static double value_of(const json::value& sample) {
    return std::stod(std::string(sample.at_pointer("/value/1").as_string()));
  }
  std::string log() const { return test::read_file(prometheus_dir.file("prometheus.log")); }

  std::string create_pod(const std::string& name, const std::string& script) {
    auto r = api.request("POST", "/api/v1/namespaces/default/pods",
                         R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"("},"spec":{"nodeName":")" +
                             kNode + R"(","terminationGracePeriodSeconds":0,"containers":[{"name":"main","image":"skiff/busybox:1",)"
                             R"("command":["sh","-c",")" + script + R"("]}]}})");
    return std::to_string(r.status) + " " + r.body;
  }
  std::string create_burner() { return create_pod("burner", "while :; do :; done"); }
  // kubectl (the machine's) against the node.
  test::CommandResult kubectl(const std::vector<std::string>& args) { return node.kubectl("/usr/bin/kubectl", args); }
  // The CPU (cores) and memory (MiB) columns of `kubectl top pod|node NAME`; nullopt until shown.
  std::optional<std::pair<double, double>> top(const std::string& kind, const std::string& name) {
    auto r = kubectl({"top", kind, name, "--no-headers"});
    std::istringstream line(r.out);
    std::string shown, cpu, memory;
    if (r.exit_code != 0 || !(line >> shown >> cpu >> memory) || shown != name) return std::nullopt;
    if (kind == "node") line >> memory;  // NAME CPU CPU% MEMORY MEMORY%: past CPU%
    double cores = cpu.ends_with("m") ? std::stod(cpu) / 1000 : std::stod(cpu);
    return std::make_pair(cores, std::stod(memory));
  }
  std::string phase(const std::string& pod) {
    json::value doc = json::parse(api.request("GET", "/api/v1/namespaces/default/pods/" + pod).body);
    boost::system::error_code missing;
    const json::value* value = doc.find_pointer("/status/phase", missing);
    return value && value->is_string() ? std::string(value->as_string()) : "";
  }
};

TEST_F(PrometheusScrape, EveryTargetIsUpAndQueriesSeeTheSeries) {
  std::string burner = create_burner();
  ASSERT_EQ(burner.rfind("201", 0), 0u) << burner;
  ASSERT_TRUE(test::wait_until([&] { return phase("burner") == "Running"; }, 90s, 200ms)) << phase("burner");
  start_prometheus();

  std::string targets;
  bool all_up = test::wait_until(
      [&] {
        json::value answer = prometheus_get("/api/v1/targets");
        if (answer.is_null()) return false;
        targets = json::serialize(answer);
        const auto& active = answer.at_pointer("/data/activeTargets").as_array();
        if (active.size() != 4) return false;
        for (const auto& target : active)
          if (target.at("health").as_string() != "up") return false;
        return true;
      },
      60s, 250ms);
  ASSERT_TRUE(all_up) << "targets: " << targets << "\nlog:\n" << log();

  json::array up = query("up");
  ASSERT_EQ(up.size(), 4u) << json::serialize(up);
  for (const auto& sample : up) EXPECT_EQ(value_of(sample), 1.0) << json::serialize(sample);

  json::array requests = query("sum(apiserver_request_total{job=\"apiserver\"})");
  ASSERT_EQ(requests.size(), 1u) << json::serialize(requests);
  EXPECT_GT(value_of(requests[0]), 0);
  json::array created = query("apiserver_request_total{job=\"apiserver\",verb=\"POST\",resource=\"pods\",code=\"201\"}");
  ASSERT_EQ(created.size(), 1u) << "the burner's create: " << json::serialize(created);
  EXPECT_EQ(value_of(created[0]), 1.0);

  json::array kernel = query("skiff_plugin_up{job=\"kubelet\",plugin=\"kubelet\"}");
  ASSERT_EQ(kernel.size(), 1u) << json::serialize(kernel);
  EXPECT_EQ(value_of(kernel[0]), 1.0);

  json::array rate;
  bool burning = test::wait_until(
      [&] {
        rate = query("rate(container_cpu_usage_seconds_total{pod=\"burner\",job=\"kubelet-cadvisor\"}[1m])");
        return !rate.empty() && value_of(rate[0]) > 0.1;
      },
      60s, 500ms);
  EXPECT_TRUE(burning) << "a busy loop uses a good part of a core: " << json::serialize(rate);

  // kubectl top agrees with PromQL's rate over the same busy loop. rate(…[1m]) divides by the
  // whole minute, so it is right once a minute of samples exists: wait for it (different windows
  // of a steady load: within a quarter).
  std::optional<std::pair<double, double>> shown;
  double prometheus_cores = 0;
  bool agree = test::wait_until(
      [&] {
        shown = top("pod", "burner");
        rate = query("rate(container_cpu_usage_seconds_total{pod=\"burner\",job=\"kubelet-cadvisor\"}[1m])");
        if (!shown || rate.empty()) return false;
        prometheus_cores = value_of(rate[0]);
        return std::abs(shown->first - prometheus_cores) <= 0.25 * std::max(shown->first, prometheus_cores);
      },
      100s, 1s);
  ASSERT_TRUE(shown.has_value()) << kubectl({"top", "pod", "burner"}).both();
  EXPECT_TRUE(agree) << "kubectl top " << shown->first << " cores, Prometheus " << prometheus_cores;
  EXPECT_GT(shown->first, 0.3) << "a busy loop's core on a loaded 2-core machine";
}

// MemTotal − MemFree − Inactive(file) of /proc/meminfo in MiB: the node working set the kubelet reports.
double proc_working_set_mib() {
  std::ifstream in("/proc/meminfo");
  std::map<std::string, double> kib;
  std::string key;
  double value;
  std::string unit;
  while (in >> key >> value) {
    kib[key] = value;
    std::getline(in, unit);
  }
  return (kib["MemTotal:"] - kib["MemFree:"] - kib["Inactive(file):"]) / 1024;
}

TEST_F(PrometheusScrape, KubectlTopShowsAPodsMemoryTheNodeAsProcDoesAndForgetsDeletedPods) {
  std::string hog = create_pod("hog", "head -c 52428800 /dev/zero > /dev/shm/fill; sleep 3600");
  ASSERT_EQ(hog.rfind("201", 0), 0u) << hog;
  std::optional<std::pair<double, double>> shown;
  ASSERT_TRUE(test::wait_until([&] { return (shown = top("pod", "hog")) && shown->second >= 45; }, 60s, 500ms))
      << kubectl({"top", "pod", "hog"}).both();
  EXPECT_LT(shown->second, 80) << "50 MiB in /dev/shm and a shell";

  std::optional<std::pair<double, double>> node_usage;
  double proc = 0;
  ASSERT_TRUE(test::wait_until([&] {
    node_usage = top("node", kNode);
    proc = proc_working_set_mib();
    return node_usage && std::abs(node_usage->second - proc) <= 0.1 * proc;
  }, 30s, 500ms)) << "kubectl top node " << (node_usage ? node_usage->second : -1) << " MiB, /proc " << proc << " MiB";
  EXPECT_GT(node_usage->first, 0);

  ASSERT_EQ(api.request("DELETE", "/api/v1/namespaces/default/pods/hog").status, 200);
  EXPECT_TRUE(test::wait_until([&] {
    return api.request("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/hog").status == 404;
  }, 30s, 500ms)) << "a deleted pod's metrics go within a few periods";
}

TEST_F(PrometheusScrape, AnAutoscalerScalesUpUnderLoadAndBackDownAfterTheWindow) {
  auto created = kubectl({"create", "deployment", "web", "--image=skiff/busybox:1", "--", "sleep", "3600"});
  ASSERT_EQ(created.exit_code, 0) << created.both();
  auto limits = kubectl({"set", "resources", "deployment/web", "--requests=cpu=100m"});
  ASSERT_EQ(limits.exit_code, 0) << limits.both();
  auto hpa = kubectl({"autoscale", "deployment", "web", "--cpu-percent=50", "--min=1", "--max=3"});
  ASSERT_EQ(hpa.exit_code, 0) << hpa.both();
  auto replicas = [&] {
    auto r = kubectl({"get", "deployment", "web", "-o", "jsonpath={.spec.replicas}/{.status.readyReplicas}"});
    return r.out;
  };
  // `set resources` rolled the Deployment: wait until only the new pod is left, so the load
  // goes to a pod that stays (exec on deploy/web could pick the old one, which then goes).
  auto rollout = kubectl({"rollout", "status", "deployment/web", "--timeout=120s"});
  ASSERT_EQ(rollout.exit_code, 0) << rollout.both();
  std::vector<std::string> pods;
  ASSERT_TRUE(test::wait_until([&] {
    pods = test::lines_of(kubectl({"get", "pods", "-l", "app=web", "-o", "name"}).out);
    return pods.size() == 1 && replicas() == "1/1";
  }, 90s, 500ms)) << replicas() << " " << pods.size() << " pods";

  // That pod burns a core (10 × its request) while /tmp/burn exists: the HPA goes to its
  // maximum. The loop ends by itself after 5 minutes should the test stop half way.
  auto load = kubectl({"exec", pods[0], "--", "sh", "-c",
                       "touch /tmp/burn; timeout 300 sh -c 'while [ -f /tmp/burn ]; do :; done' "
                       "</dev/null >/dev/null 2>&1 &"});
  ASSERT_EQ(load.exit_code, 0) << load.both();
  EXPECT_TRUE(test::wait_until([&] { return replicas().starts_with("3/"); }, 90s, 500ms))
      << replicas() << "\n" << kubectl({"describe", "hpa", "web"}).both();
  auto stop = kubectl({"exec", pods[0], "--", "rm", "-f", "/tmp/burn"});
  EXPECT_EQ(stop.exit_code, 0) << stop.both();
  auto get = kubectl({"get", "hpa", "web"});
  EXPECT_NE(get.out.find("cpu: "), std::string::npos) << get.out;

  // The load ends: back to the minimum once the 8 s stabilization window has passed.
  EXPECT_TRUE(test::wait_until([&] { return replicas().starts_with("1/"); }, 120s, 500ms))
      << replicas() << "\n" << kubectl({"describe", "hpa", "web"}).both();
  auto events = kubectl({"get", "events", "--field-selector", "reason=SuccessfulRescale", "-o", "name"});
  EXPECT_GE(test::lines_of(events.out).size(), 2u) << events.both();
  kubectl({"delete", "hpa", "web"});
  kubectl({"delete", "deployment", "web"});
}

}  // namespace
