// Pods on containerd: a master skiffd (store, apiserver, scheduler, controller-manager) and two
// workers on one bus — one with runtime-containerd (Skiff's containerd, scripts/containerd.sh),
// one with runtime-docker — against bare CRI calls to the same containerd, in the same run.
//   1. pod startup: API create -> Running for 20 single-container pods one at a time on each
//      worker, interleaved with bare CRI RunPodSandbox + CreateContainer + StartContainer (the limit);
//   2. 50 replicas from 0 to all Running on each worker;
//   3. each worker's RSS with its runtime's daemons and shims, idle and with 50 pods.
#include <algorithm>
#include <cstdio>
#include <fstream>

#include "bench_support.hpp"
#include "command.hpp"
#include "cri_client.hpp"
#include "plugin_node.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono;
using Clock = steady_clock;
using api::core::v1::Pod;
namespace cri = ::runtime::v1;

const char* kContainerdWorker = "bench-containerd";
const char* kDockerWorker = "bench-docker";
const char* kImage = "skiff/busybox:1";
const char* kSocket = "/run/skiff/containerd/containerd.sock";

double ms_since(Clock::time_point start) { return duration<double, std::milli>(Clock::now() - start).count(); }

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

void fill_pod_spec(api::core::v1::PodSpec& spec, const std::string& node) {
  spec.set_termination_grace_period_seconds(0);
  (*spec.mutable_node_selector())["kubernetes.io/hostname"] = node;
  spec.clear_containers();
  auto* c = spec.add_containers();
  c->set_name("app");
  c->set_image(kImage);
  c->set_image_pull_policy("IfNotPresent");
  c->add_command("sleep");
  c->add_command("3600");
}

double pod_start(const sdk::ApiClient& api, const std::string& name, const std::string& node) {
  Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  fill_pod_spec(*pod.mutable_spec(), node);
  auto start = Clock::now();
  api.create(pod);
  if (!test::wait_until([&] { return api.get<Pod>("default", name).status().phase() == "Running"; }, seconds(60),
                        milliseconds(2)))
    std::fprintf(stderr, "pod %s did not reach Running\n", name.c_str());
  return ms_since(start);
}

// The limit: what the kubelet and runtime-containerd ask of containerd for such a pod, called bare.
double bare_cri_start(containerd::CriClient& cri, int i, std::vector<std::string>& sandboxes) {
  cri::PodSandboxConfig sandbox;
  sandbox.mutable_metadata()->set_name("bare-" + std::to_string(i));
  sandbox.mutable_metadata()->set_uid("bench-bare-" + std::to_string(i));
  sandbox.mutable_metadata()->set_namespace_("bench");
  sandbox.set_hostname("bare");
  sandbox.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(cri::POD);
  cri::RunPodSandboxRequest run;
  *run.mutable_config() = sandbox;
  cri::CreateContainerRequest create;
  create.mutable_config()->mutable_metadata()->set_name("app");
  create.mutable_config()->mutable_image()->set_image(kImage);
  create.mutable_config()->add_command("sleep");
  create.mutable_config()->add_command("3600");
  *create.mutable_sandbox_config() = sandbox;
  auto start = Clock::now();
  std::string id = cri.run_pod_sandbox(run).pod_sandbox_id();
  create.set_pod_sandbox_id(id);
  cri.start_container(cri.create_container(create).container_id());
  double ms = ms_since(start);
  sandboxes.push_back(id);
  return ms;
}

int running_pods(const sdk::ApiClient& api, const std::string& app) {
  int n = 0;
  for (const auto& p : api.list<Pod>("default", "app=" + app)) n += p.status().phase() == "Running";
  return n;
}

double replicas_running(const sdk::ApiClient& api, const std::string& name, const std::string& node, int replicas) {
  auto d = bench::deployment(name, replicas, kImage);
  fill_pod_spec(*d.mutable_spec()->mutable_template_()->mutable_spec(), node);
  auto start = Clock::now();
  api.create(d);
  if (!test::wait_until([&] { return running_pods(api, name) == replicas; }, seconds(300), milliseconds(20)))
    std::fprintf(stderr, "only %d of %d pods of %s Running\n", running_pods(api, name), replicas, name.c_str());
  return duration<double>(Clock::now() - start).count();
}

void delete_and_wait(const sdk::ApiClient& api, const std::string& deployment) {
  api.erase<api::apps::v1::Deployment>("default", deployment);
  if (!test::wait_until([&] { return api.list<Pod>("default", "app=" + deployment).empty(); }, seconds(120), milliseconds(100)))
    std::fprintf(stderr, "the pods of %s did not go away\n", deployment.c_str());
}

// Proportional set size: a page shared by n processes counts 1/n in each, so the shims' common
// binary and libraries are not counted once per shim as RSS would.
long pss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
  std::string key;
  long kb = 0;
  while (in >> key) {
    if (key == "Pss:" && in >> kb) return kb;
    in.ignore(4096, '\n');
  }
  return 0;
}

struct Memory {
  long rss_kb = 0, pss_kb = 0;
};

Memory memory_of_all(const std::vector<pid_t>& pids) {
  Memory m;
  for (pid_t pid : pids) {
    m.rss_kb += bench::rss_kb(pid);
    m.pss_kb += pss_kb(pid);
  }
  return m;
}

pid_t pid_in_file(const std::string& path) {
  std::ifstream in(path);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

// A worker's share of the machine: its skiffd, the runtime's daemons and its shims (the
// shims' command lines name their containerd's socket).
Memory containerd_worker(pid_t skiffd) {
  std::vector<pid_t> pids = {skiffd, pid_in_file("/run/skiff/containerd/containerd.pid")};
  for (pid_t shim : test::processes_matching(std::string("-address ") + kSocket)) pids.push_back(shim);
  return memory_of_all(pids);
}
Memory docker_worker(pid_t skiffd) {
  std::vector<pid_t> pids = {skiffd, pid_in_file("/var/run/docker.pid")};
  for (pid_t p : test::processes_matching("containerd --config /var/run/docker/containerd/containerd.toml")) pids.push_back(p);
  for (pid_t shim : test::processes_matching("-address /var/run/docker/containerd/containerd.sock")) pids.push_back(shim);
  return memory_of_all(pids);
}

void print_startup(const char* what, const std::vector<double>& ms, const std::vector<double>& limit) {
  std::printf("  %-44s p50 %4.0f ms, p99 %4.0f ms (p99 %.2fx the bare CRI calls)\n", what, percentile(ms, 0.5),
              percentile(ms, 0.99), percentile(ms, 0.99) / percentile(limit, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
  int samples = argc > 1 ? std::atoi(argv[1]) : 20;
  int replicas = argc > 2 ? std::atoi(argv[2]) : 50;
  auto images = test::run_command({std::string(SKIFF_SOURCE_DIR) + "/scripts/images.sh"});
  if (images.exit_code != 0) {
    std::fprintf(stderr, "scripts/images.sh: %s\n", images.both().c_str());
    return 1;
  }
  containerd::CriClient cri(kSocket, seconds(60));

  test::NatsServer nats;
  test::PluginNode master(nats,
                          "  - name: store-lmdb\n"
                          "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
                          "  - name: scheduler-default\n    config: {leader_elect: false}\n"
                          "  - name: controller-manager\n    config: {leader_elect: false}\n",
                          "bench-master");
  master.start();
  test::PluginNode on_containerd(nats, "  - name: runtime-containerd\n  - name: kubelet\n    config: {server_address: \"127.0.0.1:0\"}\n", kContainerdWorker);
  on_containerd.start();
  test::PluginNode on_docker(nats, "  - name: runtime-docker\n    config: {network: docker-bridge}\n  - name: kubelet\n    config: {server_address: \"127.0.0.1:0\"}\n",
                             kDockerWorker);
  on_docker.start();
  sdk::ApiClient api(master.bus(), master.subjects());
  if (!test::wait_until([&] { return api.list<api::core::v1::Node>("", "").size() == 2; }, seconds(30)))
    std::fprintf(stderr, "the workers' Nodes did not register\n");
  bench::wait_idle(on_containerd.pid());
  Memory containerd_idle = containerd_worker(on_containerd.pid()), docker_idle = docker_worker(on_docker.pid());

  // 1. Startup, the three interleaved so that each sees the same machine.
  std::printf("Pod startup on containerd %s: API create -> Running, %d single-container pods one at a time, vs "
              "runtime-docker and bare CRI RunPodSandbox + CreateContainer + StartContainer\n",
              cri.version().runtime_version().c_str(), samples);
  std::vector<double> on_cd_ms, on_docker_ms, bare_ms;
  std::vector<std::string> bare;
  for (int i = 0; i < samples; ++i) {
    on_cd_ms.push_back(pod_start(api, "cd-" + std::to_string(i), kContainerdWorker));
    on_docker_ms.push_back(pod_start(api, "docker-" + std::to_string(i), kDockerWorker));
    bare_ms.push_back(bare_cri_start(cri, i, bare));
  }
  for (const auto& id : bare) {
    cri.stop_pod_sandbox(id);
    cri.remove_pod_sandbox(id);
  }
  for (int i = 0; i < samples; ++i) {
    api.erase<Pod>("default", "cd-" + std::to_string(i));
    api.erase<Pod>("default", "docker-" + std::to_string(i));
  }
  print_startup("runtime-containerd (kubelet, sandbox + app):", on_cd_ms, bare_ms);
  print_startup("runtime-docker (kubelet, sandbox + app):", on_docker_ms, bare_ms);
  std::printf("  %-44s p50 %4.0f ms, p99 %4.0f ms\n", "bare CRI (sandbox + app, the limit):", percentile(bare_ms, 0.5),
              percentile(bare_ms, 0.99));
  if (std::getenv("SKIFF_BENCH_SAMPLES"))
    for (int i = 0; i < samples; ++i)
      std::printf("    #%d containerd %.0f ms, docker %.0f ms, bare CRI %.0f ms\n", i, on_cd_ms[static_cast<std::size_t>(i)],
                  on_docker_ms[static_cast<std::size_t>(i)], bare_ms[static_cast<std::size_t>(i)]);

  // 2. Replicas, one worker after the other.
  bench::wait_idle(on_containerd.pid());
  double cd_s = replicas_running(api, "fifty-cd", kContainerdWorker, replicas);
  bench::wait_idle(on_containerd.pid());
  Memory containerd_busy = containerd_worker(on_containerd.pid());
  delete_and_wait(api, "fifty-cd");
  bench::wait_idle(on_docker.pid());
  double docker_s = replicas_running(api, "fifty-docker", kDockerWorker, replicas);
  bench::wait_idle(on_docker.pid());
  Memory docker_busy = docker_worker(on_docker.pid());
  delete_and_wait(api, "fifty-docker");
  std::printf("%d replicas from 0 to all Running: runtime-containerd %.2f s, runtime-docker %.2f s (containerd/docker %.2fx)\n",
              replicas, cd_s, docker_s, cd_s / docker_s);

  // 3. Memory: each worker with its runtime's daemons and shims.
  std::printf("Worker memory (skiffd + the runtime's daemons + shims), idle / with %d pods: summed RSS, PSS\n", replicas);
  std::printf("  containerd worker (skiffd + Skiff's containerd + shims):  RSS %4.0f / %4.0f MB, PSS %4.0f / %4.0f MB\n",
              containerd_idle.rss_kb / 1024.0, containerd_busy.rss_kb / 1024.0, containerd_idle.pss_kb / 1024.0,
              containerd_busy.pss_kb / 1024.0);
  std::printf("  docker worker (skiffd + dockerd + its containerd + shims): RSS %4.0f / %4.0f MB, PSS %4.0f / %4.0f MB\n",
              docker_idle.rss_kb / 1024.0, docker_busy.rss_kb / 1024.0, docker_idle.pss_kb / 1024.0,
              docker_busy.pss_kb / 1024.0);
  if (std::getenv("SKIFF_BENCH_LOG")) std::fprintf(stderr, "%s\n%s\n", on_containerd.output().c_str(), on_docker.output().c_str());
  return 0;
}
