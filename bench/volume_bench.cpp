// Volumes on `make cluster` with storage-local: the time from `kubectl apply` of a claim (the
// default class, WaitForFirstConsumer) and a pod using it until the pod is Running with the
// volume mounted (p50/p99), against the same pod without a volume (the peer), and the write throughput of dd with fsync inside such a volume
// (ext4 on a loop device over an image file) against the same dd on the host filesystem that
// holds the image (the limit), both timed around the command (kubectl exec's own cost, measured
// with `true`, taken off). `volume_bench [SAMPLES] [MIB]`.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
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
const std::string kLan = "10.213.13";
const std::string kCluster = "skw";

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

std::string must(const std::vector<std::string>& argv, const std::string& input = "") {
  auto result = test::run_command(argv, {"KUBECONFIG=" + kData + "/kubeconfig"}, 300s, input);
  if (result.exit_code != 0) fail(argv.front() + " " + (argv.size() > 1 ? argv[1] : "") + ": " + result.both());
  return result.out;
}

std::string kubectl(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), "/usr/bin/kubectl");
  return must(args, input);
}

double ms_since(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

// A claim and a pod mounting it; with an empty size, the same pod without any volume (the peer).
std::string claim_and_pod(const std::string& name, const std::string& size) {
  std::string pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", labels: {bench: volumes}}\nspec:\n"
                    "  terminationGracePeriodSeconds: 1\n";
  std::string container = "  containers:\n  - {name: main, image: skiff/busybox:1, imagePullPolicy: IfNotPresent, "
                          "command: [sleep, '3600']";
  if (size.empty()) return pod + container + "}\n";
  return "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: " + name + ", labels: {bench: volumes}}\n"
         "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: " + size + "}}}\n---\n" + pod +
         "  volumes: [{name: data, persistentVolumeClaim: {claimName: " + name + "}}]\n" + container +
         ", volumeMounts: [{name: data, mountPath: /data}]}\n";
}

// apply → phase Running (the container started with the volume mounted in it, if any).
double apply_to_running(const std::string& name, const std::string& size) {
  auto start = Clock::now();
  kubectl({"apply", "-f", "-"}, claim_and_pod(name, size));
  bool running = test::wait_until([&] {
    return kubectl({"get", "pod", name, "-o", "jsonpath={.status.phase}"}) == "Running";
  }, 120s, 20ms);
  double took = ms_since(start);
  if (!running) fail(name + " never ran: " + kubectl({"describe", "pod", name}));
  return took;
}

// How long a command takes, in ms, the command's process included.
double timed_ms(const std::function<void()>& command) {
  auto start = Clock::now();
  command();
  return ms_since(start);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  int samples = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  int mib = argc > 2 ? std::max(8, std::atoi(argv[2])) : 256;
  try {
    test::ClusterLabOptions options{kData, kLan, "skiff-lan-w", kCluster};
    options.workers = 1;
    test::ClusterLab lab(options);
    std::vector<double> startup, bare;
    for (int i = 0; i < samples; ++i) {  // interleaved with the peer, so both see the same machine
      startup.push_back(apply_to_running("vol-" + std::to_string(i), "16Mi"));
      bare.push_back(apply_to_running("bare-" + std::to_string(i), ""));
    }
    auto print = [&](const char* what, const std::vector<double>& ms) {
      std::printf("%-48s p50 %6.0f ms  p99 %6.0f ms  (min %.0f, max %.0f, n=%d)\n", what, percentile(ms, 0.5),
                  percentile(ms, 0.99), *std::min_element(ms.begin(), ms.end()), *std::max_element(ms.begin(), ms.end()),
                  samples);
    };
    print("claim + pod applied -> Running with the volume", startup);
    print("pod without a volume applied -> Running (peer)", bare);
    std::printf("ratio p50 %.2f, p99 %.2f\n", percentile(startup, 0.5) / percentile(bare, 0.5),
                percentile(startup, 0.99) / percentile(bare, 0.99));
    kubectl({"delete", "pods,pvc", "-l", "bench=volumes", "--wait=true"});

    kubectl({"apply", "-f", "-"}, claim_and_pod("writer", std::to_string(mib + 16) + "Mi"));
    if (!test::wait_until([] { return kubectl({"get", "pod", "writer", "-o", "jsonpath={.status.phase}"}) == "Running"; },
                          120s, 100ms))
      fail("the writer pod never ran");
    std::string node = kubectl({"get", "pod", "writer", "-o", "jsonpath={.spec.nodeName}"});
    std::string host_file = kData + "/" + node + "/volumes/bench-host-file";
    std::string count = "count=" + std::to_string(mib);
    // busybox's dd prints no rate: time the exec, less what an exec of `true` costs.
    std::vector<double> exec_only, inside, host;
    for (int i = 0; i < 5; ++i) exec_only.push_back(timed_ms([] { kubectl({"exec", "writer", "--", "true"}); }));
    double overhead = median(exec_only);
    for (int i = 0; i < 3; ++i) {
      double ms = timed_ms([&] {
        kubectl({"exec", "writer", "--", "dd", "if=/dev/zero", "of=/data/f", "bs=1M", count, "conv=fsync"});
      });
      inside.push_back(mib * 1.048576 / ((ms - overhead) / 1000.0));
      kubectl({"exec", "writer", "--", "rm", "-f", "/data/f"});
      ms = timed_ms([&] { must({"dd", "if=/dev/zero", "of=" + host_file, "bs=1M", count, "conv=fsync"}); });
      host.push_back(mib * 1.048576 / (ms / 1000.0));
      test::run_command({"rm", "-f", host_file});
    }
    double in_volume = median(inside), on_host = median(host);
    std::printf("kubectl exec overhead (subtracted)                %6.0f ms (median of 5)\n", overhead);
    std::printf("dd %d MiB + fsync inside the volume (loop ext4)   %6.0f MB/s (median of 3)\n", mib, in_volume);
    std::printf("dd %d MiB + fsync on the host filesystem (limit)  %6.0f MB/s (median of 3)\n", mib, on_host);
    std::printf("ratio volume / host                               %6.2f\n", in_volume / on_host);
    kubectl({"delete", "pods,pvc", "-l", "bench=volumes", "--wait=true"});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "volume_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
