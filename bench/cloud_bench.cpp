// LoadBalancer Services on `make cluster` with cloud-local and the cloud-controller-manager:
// the time from `kubectl expose --type=LoadBalancer` to the first request answered through the
// address from the machine's LAN, against the start of one Docker container in the same run
// (k3s's klipper-lb answers each LoadBalancer with a svclb pod, so its floor is a container
// start); and 100 LoadBalancer Services applied at once until all have addresses.
// `cloud_bench [SAMPLES]`.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "cluster_lab.hpp"
#include "command.hpp"
#include "skiff/testing/wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kData = SKIFF_BENCH_CLUSTER_DIR;
const std::string kLan = "10.213.12";
const std::string kCluster = "skm";
constexpr int kMany = 100;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

std::string must(const std::vector<std::string>& argv, const std::string& input = "") {
  auto result = test::run_command(argv, {"KUBECONFIG=" + kData + "/kubeconfig"}, 120s, input);
  if (result.exit_code != 0) fail(argv.front() + " " + (argv.size() > 1 ? argv[1] : "") + ": " + result.both());
  return result.out;
}

std::string kubectl(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), "/usr/bin/kubectl");
  return must(args, input);
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void serve_on_worker() {
  kubectl({"apply", "-f", "-"},
          "apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec:\n"
          "  nodeSelector: {kubernetes.io/hostname: " + kCluster + "-worker-1}\n  terminationGracePeriodSeconds: 1\n"
          "  containers:\n  - {name: main, image: skiff/busybox:1, imagePullPolicy: IfNotPresent, command: [sh, -c, "
          "'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']}\n");
  if (!test::wait_until([] { return kubectl({"get", "pod", "web", "-o", "jsonpath={.status.phase}"}) == "Running"; }, 90s,
                        100ms))
    fail("the server pod did not run");
}

// expose → first 200 from the machine through the requested address.
double expose_to_first_request(int sample) {
  std::string ip = kLan + "." + std::to_string(100 + sample);
  std::string name = "expose-" + std::to_string(sample);
  auto start = Clock::now();
  kubectl({"expose", "pod", "web", "--type=LoadBalancer", "--name=" + name, "--port=80", "--target-port=8080",
           "--load-balancer-ip=" + ip});
  bool answered = test::wait_until([&] {
    return test::run_command({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "0.5", "http://" + ip + "/"})
               .out == "200";
  }, 30s, 5ms);
  double took = ms_since(start);
  if (!answered) fail(name + " at " + ip + " never answered");
  kubectl({"delete", "service", name});
  return took;
}

double docker_container_start() {
  auto start = Clock::now();
  must({"docker", "run", "--rm", "--network", "none", "skiff/busybox:1", "true"});
  return ms_since(start);
}

// 100 Services in one apply, until every one has an ingress address.
double many_load_balancers() {
  std::string list = "apiVersion: v1\nkind: List\nitems:\n";
  for (int i = 0; i < kMany; ++i)
    list += "- apiVersion: v1\n  kind: Service\n  metadata: {name: many-" + std::to_string(i) +
            ", labels: {bench: many}}\n  spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, "
            "targetPort: 8080}]}\n";
  auto start = Clock::now();
  kubectl({"apply", "-f", "-"}, list);
  bool all = test::wait_until([] {
    std::string ips = kubectl({"get", "services", "-l", "bench=many", "-o",
                               "jsonpath={range .items[*]}{.status.loadBalancer.ingress[0].ip} {end}"});
    return std::count(ips.begin(), ips.end(), '.') == 3 * kMany;
  }, 120s, 20ms);
  double took = ms_since(start);
  if (!all) fail("not all " + std::to_string(kMany) + " Services got an address");
  kubectl({"delete", "services", "-l", "bench=many"});
  return took;
}

void print(const char* what, std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  std::printf("%-44s median %7.0f ms  (min %.0f, max %.0f, n=%zu)\n", what, samples[samples.size() / 2], samples.front(),
              samples.back(), samples.size());
}

}  // namespace

int main(int argc, char** argv) {
  int samples = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  try {
    test::ClusterLabOptions options{kData, kLan, "skiff-lan-m", kCluster};
    options.lb_pool = kLan + ".100-" + kLan + ".227";
    test::ClusterLab lab(options);
    serve_on_worker();
    std::vector<double> expose, container;
    for (int i = 0; i < samples; ++i) {
      expose.push_back(expose_to_first_request(i));
      container.push_back(docker_container_start());
    }
    print("expose --type=LoadBalancer -> first request", expose);
    print("docker run (a svclb pod's floor, peer)", container);
    std::vector<double> many;
    for (int i = 0; i < std::max(1, samples / 2); ++i) many.push_back(many_load_balancers());
    print("100 LoadBalancer Services -> all have IPs", many);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cloud_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
