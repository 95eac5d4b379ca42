// Pod networking across nodes on `make cluster` (a master and two workers in network
// namespaces): pod-to-pod TCP throughput (iperf3) and HTTP request rate (wrk against busybox
// httpd) between pods on two workers, against the same two nodes talking over their own
// (host) network in the same run; and pod startup with CNI against Docker's bridge, each on a
// cluster of its own. The tools run from the machine inside the pods' network namespaces
// (nsenter), so the images need nothing. `network_bench [SAMPLES]`.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cluster_lab.hpp"
#include "command.hpp"
#include "skiff/testing/process.hpp"
#include "skiff/testing/wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kData = SKIFF_BENCH_CLUSTER_DIR;
const std::string kLan = "10.213.8";
const std::string kCluster = "skb";
const std::string kWorker1 = kCluster + "-worker-1", kWorker2 = kCluster + "-worker-2";

// Thrown, not exit()ed: the cluster's destructor must remove what it made.
[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

std::string must(const std::vector<std::string>& argv, const std::vector<std::string>& env = {}, const std::string& input = "") {
  auto result = test::run_command(argv, env, 120s, input);
  if (result.exit_code != 0) fail(argv.front() + " " + (argv.size() > 1 ? argv[1] : "") + ": " + result.both());
  return result.out;
}

std::string kubectl(const std::vector<std::string>& args, const std::string& input = "") {
  std::vector<std::string> argv{"/usr/bin/kubectl"};
  argv.insert(argv.end(), args.begin(), args.end());
  return must(argv, {"KUBECONFIG=" + kData + "/kubeconfig"}, input);
}

void create_pod(const std::string& name, const std::string& node, const std::string& command) {
  kubectl({"apply", "-f", "-"},
          "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n"
          "  nodeSelector: {kubernetes.io/hostname: " + node + "}\n  terminationGracePeriodSeconds: 1\n"
          "  containers:\n  - {name: main, image: skiff/busybox:1, imagePullPolicy: IfNotPresent, command: [sh, -c, '" +
              command + "']}\n");
}

std::string running_ip(const std::string& pod) {
  std::string ip;
  test::wait_until([&] {
    return test::run_command({"/usr/bin/kubectl", "get", "pod", pod, "-o", "jsonpath={.status.phase}"},
                             {"KUBECONFIG=" + kData + "/kubeconfig"}).out == "Running";
  }, 60s, 100ms);
  return kubectl({"get", "pod", pod, "-o", "jsonpath={.status.podIP}"});
}

// The network namespace of a pod's sandbox, as nsenter takes it.
std::string pod_netns(const std::string& pod) {
  std::string uid = kubectl({"get", "pod", pod, "-o", "jsonpath={.metadata.uid}"});
  std::string id = must({"docker", "ps", "-q", "--filter", "label=io.skiff.pod.uid=" + uid, "--filter", "label=io.skiff.kind=sandbox"});
  id.erase(id.find_last_not_of("\n") + 1);
  std::string pid = must({"docker", "inspect", "-f", "{{.State.Pid}}", id});
  pid.erase(pid.find_last_not_of("\n") + 1);
  return "--net=/proc/" + pid + "/ns/net";
}

std::vector<std::string> in_pod(const std::string& netns, std::vector<std::string> command) {
  command.insert(command.begin(), {"nsenter", netns});
  return command;
}

std::vector<std::string> on_node(const std::string& node, std::vector<std::string> command) {
  command.insert(command.begin(), {"ip", "netns", "exec", node});
  return command;
}

// iperf3 for 3 s from `client` to a one-off server in `server`; Gbit/s received.
double iperf_gbits(const std::vector<std::string>& server, const std::vector<std::string>& client, const std::string& ip) {
  auto s = server;
  s.insert(s.end(), {"iperf3", "-s", "-1", "-p", "5201"});
  test::ChildProcess listening({s, {}, "", "/dev/null", ""});
  auto c = client;
  c.insert(c.end(), {"iperf3", "-c", ip, "-p", "5201", "-t", "3", "-J"});
  std::string json;
  test::wait_until([&] {
    auto result = test::run_command(c, {}, 30s);
    json = result.out;
    return result.exit_code == 0 && json.find("\"sum_received\"") != std::string::npos;  // else: not listening yet
  }, 20s, 100ms);
  std::smatch m;
  static const std::regex received(R"("sum_received":\s*\{[^}]*"bits_per_second":\s*([0-9.e+]+))");
  if (!std::regex_search(json, m, received)) fail("no iperf3 figure: " + json);
  return std::stod(m[1]) / 1e9;
}

// wrk for 3 s with 8 connections from `client` to http://ip:port/; requests per second.
double wrk_rate(const std::vector<std::string>& client, const std::string& url) {
  auto c = client;
  c.insert(c.end(), {"wrk", "-t1", "-c8", "-d3s", url});
  std::string out = must(c);
  std::smatch m;
  static const std::regex rate(R"(Requests/sec:\s*([0-9.]+))");
  if (!std::regex_search(out, m, rate)) fail("no wrk figure: " + out);
  return std::stod(m[1]);
}

std::string range(std::vector<double> values, const char* format) {
  std::sort(values.begin(), values.end());
  char low[32], high[32];
  std::snprintf(low, sizeof low, format, values.front());
  std::snprintf(high, sizeof high, format, values.back());
  return values.front() == values.back() ? std::string(low) : std::string(low) + "–" + high;
}

// Seconds from creating a Deployment of `replicas` pods on the workers to all Running.
double startup_seconds(int replicas) {
  auto start = std::chrono::steady_clock::now();
  kubectl({"create", "deployment", "start", "--image=skiff/busybox:1", "--replicas=" + std::to_string(replicas), "--",
           "sleep", "3600"});
  bool all = test::wait_until([&] {
    std::string phases = test::run_command({"/usr/bin/kubectl", "get", "pods", "-l", "app=start", "-o",
                                            "jsonpath={range .items[*]}{.status.phase}{\"\\n\"}{end}"},
                                           {"KUBECONFIG=" + kData + "/kubeconfig"}).out;
    return std::count(phases.begin(), phases.end(), '\n') == replicas &&
           phases.find("Pending") == std::string::npos;
  }, 120s, 50ms);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!all) fail("the pods did not all run");
  kubectl({"delete", "deployment", "start", "--wait=true"});
  test::wait_until([] { return kubectl({"get", "pods", "-l", "app=start", "-o", "name"}).empty(); }, 120s, 100ms);
  return seconds;
}

void run(int samples) {
  const int replicas = 20;
  std::vector<double> pod_gbits, node_gbits, pod_rps, node_rps, cni_start, bridge_start;
  {
    test::ClusterLab cluster({kData, kLan, "skiff-lan-b", kCluster, "cni"});
    create_pod("server", kWorker1, "httpd -f -p 8080 -h /www; sleep 3600");
    create_pod("client", kWorker2, "sleep 3600");
    std::string server_ip = running_ip("server");
    running_ip("client");
    std::string server = pod_netns("server"), client = pod_netns("client");
    std::string node1 = kLan + ".11";
    // The nodes' own pair: a busybox httpd on worker-1's LAN address, in its namespace.
    fs::create_directories(kData + "/www");
    must({"sh", "-c", "echo 'hello from skiff' > " + kData + "/www/index.html"});
    test::ChildProcess node_httpd({on_node(kWorker1, {"busybox", "httpd", "-f", "-p", node1 + ":18081", "-h", kData + "/www"}),
                                   {}, "", "/dev/null", ""});
    wrk_rate(in_pod(client, {}), "http://" + server_ip + ":8080/");  // warm-up: neither side's first second counts
    wrk_rate(on_node(kWorker2, {}), "http://" + node1 + ":18081/");
    for (int i = 0; i < samples; ++i) {
      pod_gbits.push_back(iperf_gbits(in_pod(server, {}), in_pod(client, {}), server_ip));
      node_gbits.push_back(iperf_gbits(on_node(kWorker1, {}), on_node(kWorker2, {}), node1));
      pod_rps.push_back(wrk_rate(in_pod(client, {}), "http://" + server_ip + ":8080/"));
      node_rps.push_back(wrk_rate(on_node(kWorker2, {}), "http://" + node1 + ":18081/"));
      if (std::getenv("SKIFF_BENCH_SAMPLES"))
        std::printf("  sample %d: %.1f / %.1f Gbit/s, %.0f / %.0f requests/s (pod / node)\n", i, pod_gbits.back(),
                    node_gbits.back(), pod_rps.back(), node_rps.back());
    }
    kubectl({"delete", "pods", "server", "client", "--wait=true"});
    for (int i = 0; i < samples; ++i) cni_start.push_back(startup_seconds(replicas));
  }
  {
    test::ClusterLab cluster({kData, kLan, "skiff-lan-b", kCluster, "docker-bridge"});
    for (int i = 0; i < samples; ++i) bridge_start.push_back(startup_seconds(replicas));
  }
  auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return sum / static_cast<double>(v.size());
  };
  std::printf("Pod networking on make cluster (2 workers in network namespaces), %d samples\n", samples);
  std::printf("  %-52s %-16s %-16s %s\n", "", "pod to pod", "node to node", "pod / node");
  std::printf("  %-52s %-16s %-16s %.2f\n", "TCP throughput across nodes (iperf3), Gbit/s", range(pod_gbits, "%.1f").c_str(),
              range(node_gbits, "%.1f").c_str(), mean(pod_gbits) / mean(node_gbits));
  std::printf("  %-52s %-16s %-16s %.2f\n", "HTTP requests/s across nodes (wrk, busybox httpd)", range(pod_rps, "%.0f").c_str(),
              range(node_rps, "%.0f").c_str(), mean(pod_rps) / mean(node_rps));
  std::printf("  %-52s %-16s %-16s %s\n", "", "CNI", "Docker bridge", "CNI / bridge");
  std::printf("  %-52s %-16s %-16s %.2f\n", ("pod startup: " + std::to_string(replicas) + " pods Running, s").c_str(),
              range(cni_start, "%.2f").c_str(), range(bridge_start, "%.2f").c_str(), mean(cni_start) / mean(bridge_start));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    run(argc > 1 ? std::atoi(argv[1]) : 3);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "network_bench: %s\n", e.what());
    return 1;
  }
}
