// The Web UI (dashboard addon) in headless Chromium against N pods (default 1,000) on hollow
// nodes (kubelet + runtime-sim) in one all-in-one skiffd: time from opening the pods view to
// its first row and to all N rows in the table, the bytes the app and the API transfer, and the
// delay from a pod created through the API to its row showing in the browser (p50/p99). The
// peer is kubectl in the same run: `kubectl get pods` listing the same N pods, and `kubectl get
// pods --watch-only` seeing the same creations.
// Usage: dashboard_bench [pods] [changes]
#include <algorithm>
#include <cstdio>

#include <boost/json.hpp>

#include "api_node.hpp"
#include "bench_support.hpp"
#include "child_pipes.hpp"
#include "command.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono;
using Clock = steady_clock;
namespace core = api::core::v1;
namespace json = boost::json;

const std::string kScenarios = std::string(SKIFF_SOURCE_DIR) + "/tests/browser/dashboard_scenarios.mjs";
const std::string kModules = std::string(SKIFF_BINARY_DIR) + "/plugins/addons/dashboard/web/node_modules";
const char* kKubectl = "/usr/bin/kubectl";
constexpr int kNodes = 10;

std::string plugins(int pods) {
  std::string max_pods = std::to_string(pods / kNodes + 30), nodes = std::to_string(kNodes);
  return "  - name: scheduler-default\n    config: {leader_elect: false}\n"
         "  - name: controller-manager\n    config: {leader_elect: false}\n"
         "  - name: runtime-sim\n    config: {nodes: " + nodes + ", node_prefix: hollow}\n"
         "  - name: kubelet\n    config: {nodes: " + nodes + ", node_prefix: hollow, max_pods: " + max_pods +
         ", cpu: '64', memory: 256Gi, workers: 4}\n"
         "  - name: dashboard\n";
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[v.size() / 2];
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size()) + 0.999) - 1)];
}

std::vector<std::string> scenario(test::ApiNode& node, const std::string& name, std::vector<std::string> args) {
  std::vector<std::string> argv = {"/usr/bin/node", kScenarios, name, "--url",
                                   "https://127.0.0.1:" + std::to_string(node.port()) + "/ui/", "--token", node.token(),
                                   "--modules", kModules, "--timeout", "120000"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// The last JSON object a scenario printed.
json::object last_json(const std::string& output) {
  json::object found;
  std::size_t at = 0;
  while ((at = output.find('{', at)) != std::string::npos) {
    auto end = output.find('\n', at);
    boost::system::error_code ec;
    auto v = json::parse(output.substr(at, end == std::string::npos ? std::string::npos : end - at), ec);
    if (!ec && v.is_object()) found = v.as_object();
    at = end == std::string::npos ? output.size() : end;
  }
  return found;
}

double number(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v ? v->to_number<double>() : -1;
}

void render(test::ApiNode& node, int pods) {
  std::vector<double> kubectl_ms, first_ms, all_ms, longest;
  json::object figures;
  for (int run = 0; run < 3; ++run) {
    auto start = Clock::now();
    auto listed = node.kubectl(kKubectl, {"get", "pods"}, "", seconds(120));
    kubectl_ms.push_back(duration<double, std::milli>(Clock::now() - start).count());
    if (listed.exit_code != 0) std::printf("  kubectl get pods failed: %s\n", listed.both().c_str());
    auto r = test::run_command(scenario(node, "pods-render", {"--count", std::to_string(pods)}), {}, seconds(180));
    figures = last_json(r.out);
    if (r.exit_code != 0 || figures.empty()) {
      std::printf("  pods-render failed: %s\n", r.both().c_str());
      return;
    }
    first_ms.push_back(number(figures, "first_render_ms"));
    all_ms.push_back(number(figures, "all_ms"));
    longest.push_back(number(figures, "longest_task_ms"));
  }
  std::printf("  pods view, %d pods (median of 3): first row %.0f ms, all %d in the table %.0f ms, longest task %.0f ms\n",
              pods, median(first_ms), pods, median(all_ms), median(longest));
  std::printf("  transferred: %.0f KB in all (the app %.0f KB, the API %.0f KB)\n", number(figures, "transferred_bytes") / 1024,
              number(figures, "app_bytes") / 1024, number(figures, "api_bytes") / 1024);
  std::printf("  peer: kubectl get pods of the same %d: %.0f ms (median of 3); ratio all-in-table / kubectl %.2f\n", pods,
              median(kubectl_ms), median(all_ms) / median(kubectl_ms));
}

core::Pod change_pod(const std::string& name) {
  core::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("app");
  c->set_image("registry.local/app:1");
  return pod;
}

std::int64_t epoch_ms() { return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count(); }

// Lines of `child` until one contains `text`; false when it did not come in time.
bool read_until(bench::ChildPipes& child, const std::string& text, std::string* line_out = nullptr) {
  while (auto line = child.read_line(seconds(60))) {
    if (line->find(text) == std::string::npos) continue;
    if (line_out) *line_out = *line;
    return true;
  }
  return false;
}

void change_delay(test::ApiNode& node, int changes) {
  sdk::ApiClient api(node.node().bus(), node.node().subjects());
  // kubectl first: by the time the browser is ready, its watch is open (the warm-up pod proves it).
  bench::ChildPipes watch({kKubectl, "--kubeconfig", node.kubeconfig(), "get", "pods", "--watch-only", "-o", "name"});
  bench::ChildPipes ui(scenario(node, "change-delay", {}));
  if (!read_until(ui, "READY")) return (void)std::printf("  change-delay did not start\n");
  std::vector<double> ui_ms, kubectl_ms;
  for (int i = 0; i <= changes; ++i) {  // the first (0) warms both up and is not counted
    std::string name = "change-" + std::to_string(i);
    ui.write_line(name + " " + std::to_string(epoch_ms()));
    auto start = Clock::now();
    api.create(change_pod(name));
    if (!read_until(watch, "pod/" + name)) return (void)std::printf("  kubectl --watch never showed %s\n", name.c_str());
    double peer = duration<double, std::milli>(Clock::now() - start).count();
    std::string line;
    if (!read_until(ui, "\"" + name + "\"", &line)) return (void)std::printf("  the UI never showed %s\n", name.c_str());
    if (i == 0) continue;
    kubectl_ms.push_back(peer);
    ui_ms.push_back(number(last_json(line), "ms"));
  }
  ui.close_input();
  std::printf("  change -> shown, %d pods created through the API: UI p50 %.0f ms, p99 %.0f ms; "
              "kubectl --watch p50 %.0f ms, p99 %.0f ms; ratio p99 %.2f\n",
              changes, quantile(ui_ms, 0.5), quantile(ui_ms, 0.99), quantile(kubectl_ms, 0.5),
              quantile(kubectl_ms, 0.99), quantile(ui_ms, 0.99) / std::max(1.0, quantile(kubectl_ms, 0.99)));
}

}  // namespace

int main(int argc, char** argv) {
  int pods = argc > 1 ? std::atoi(argv[1]) : 1000;
  int changes = argc > 2 ? std::atoi(argv[2]) : 30;
  std::printf("Web UI: headless Chromium on the pods view, %d pods on %d hollow nodes (kubelet + runtime-sim)\n", pods,
              kNodes);
  test::ApiNode node("", plugins(pods), "dashboard-bench");
  sdk::ApiClient api(node.node().bus(), node.node().subjects());
  test::wait_until([&] { return static_cast<int>(api.list<core::Node>().size()) == kNodes; }, seconds(60));
  api.create(bench::deployment("load", pods, "registry.local/app:1"));
  if (!test::wait_until([&] {
        return api.get<api::apps::v1::Deployment>("default", "load").status().available_replicas() == pods;
      }, seconds(300), milliseconds(200)))
    std::printf("  (not all %d pods became available)\n", pods);
  render(node, pods);
  change_delay(node, changes);
  return 0;
}
