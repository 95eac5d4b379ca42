// Pods on runtime-runc (runc, no daemon): a master skiffd (store, apiserver, scheduler,
// controller-manager) and two workers on one bus — one with runtime-runc, one with
// runtime-docker — against bare `runc run --detach` of the same kind of bundle, in one run:
//   1. pod startup: API create -> Running for 20 single-container pods one at a time on each
//      worker, interleaved with the bare runc runs (overlay mount + runc run: the limit);
//   2. 50 replicas from 0 to all Running on each worker, and as a Docker Swarm service (a
//      single-node swarm on 127.0.0.1, made for the run and left again);
//   3. the supervision's memory per pod: runtime-runc's monitor (and the container's init)
//      against Docker's shim (and docker-init);
//   4. a cold pull from a local registry (docker-registry on 127.0.0.1) into runtime-runc's
//      store against `docker pull` of the same image from the same registry.
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bench_support.hpp"
#include "command.hpp"
#include "docker_swarm.hpp"
#include "image_puller.hpp"
#include "image_store.hpp"
#include "oci_spec.hpp"
#include "overlay_rootfs.hpp"
#include "plugin_node.hpp"
#include "runc_lab.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono;
using Clock = steady_clock;
using api::core::v1::Pod;
namespace fs = std::filesystem;
namespace json = boost::json;

const char* kRuncWorker = "bench-runc";
const char* kDockerWorker = "bench-docker";
const char* kImage = "skiff/busybox:1";

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

// The limit: a bundle as runtime-runc writes it (same image layer, same spec, its init), with
// fresh namespaces of its own instead of a sandbox's, run detached by runc with no monitor.
class BareRunc {
 public:
  BareRunc(std::string layer, std::string init) : layer_(std::move(layer)), init_(std::move(init)) {}
  ~BareRunc() {
    for (const auto& id : ids_) runc({"delete", "--force", id});
    for (const auto& id : ids_) runc::unmount_overlay_rootfs(dir_.file(id));
    std::error_code ec;
    for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec))
      fs::remove(hierarchy.path() / "skiff-runc-bench", ec);  // the parent runc made, empty now
  }
  double run(int i) {
    std::string id = "bare-" + std::to_string(i), bundle = dir_.file(id);
    fs::create_directories(bundle);
    std::string spec = config_json(id, bundle);
    auto start = Clock::now();
    runc::mount_overlay_rootfs(bundle, {layer_});
    std::ofstream(bundle + "/config.json") << spec;
    auto r = runc({"run", "--detach", "--bundle", bundle, id});
    double ms = ms_since(start);
    if (r.exit_code != 0) std::fprintf(stderr, "runc run %s: %s\n", id.c_str(), r.both().c_str());
    ids_.push_back(id);
    return ms;
  }

 private:
  std::string config_json(const std::string& id, const std::string& bundle) const {
    runtime::v1::ContainerConfig config;
    config.add_command("sleep");
    config.add_command("3600");
    runc::ImageConfig image;
    runc::ContainerSpecInputs in{&config, &image, {"", "", "-"}, "bare", bundle + "/rootfs", "/skiff-runc-bench/" + id, init_};
    auto spec = json::parse(runc::container_spec(in)).as_object();
    spec["linux"].as_object()["namespaces"] = json::array{json::object{{"type", "pid"}}, json::object{{"type", "mount"}},
                                                          json::object{{"type", "ipc"}}, json::object{{"type", "uts"}},
                                                          json::object{{"type", "network"}}};
    return json::serialize(spec);
  }
  test::CommandResult runc(std::vector<std::string> args) const {
    args.insert(args.begin(), {"/usr/sbin/runc", "--root", dir_.file("runc")});
    return test::run_command(args);
  }

  test::TempDir dir_;
  std::string layer_, init_;
  std::vector<std::string> ids_;
};

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
  std::size_t processes = 0;
  long rss_kb = 0, pss_kb = 0;
};

Memory memory_of(const std::vector<pid_t>& pids) {
  Memory m;
  for (pid_t pid : pids) {
    m.processes++;
    m.rss_kb += bench::rss_kb(pid);
    m.pss_kb += pss_kb(pid);
  }
  return m;
}

Memory minus(Memory a, const Memory& b) {
  a.processes -= std::min(a.processes, b.processes);
  a.rss_kb -= b.rss_kb;
  a.pss_kb -= b.pss_kb;
  return a;
}

void print_per_pod(const char* what, const Memory& m, int pods) {
  std::printf("  %-52s %3zu processes, per pod RSS %5.0f kB, PSS %5.0f kB\n", what, m.processes,
              static_cast<double>(m.rss_kb) / pods, static_cast<double>(m.pss_kb) / pods);
}

// An image of busybox plus `extra_mb` of random bytes, as a docker-save archive in `dir`.
std::string image_archive_with(const std::string& dir, const std::string& name, int extra_mb) {
  std::string out = dir + "/" + std::to_string(extra_mb) + ".tar";
  std::string script = ". '" + std::string(SKIFF_SOURCE_DIR) + "/scripts/image-archive.sh' && d=$(mktemp -d) && "
                       "busybox_rootfs \"$d/rootfs\" && dd if=/dev/urandom of=\"$d/rootfs/payload\" bs=1M count=" +
                       std::to_string(extra_mb) + " status=none && image_archive \"$1\" " + name +
                       " \"$d/rootfs\" '{\"Cmd\":[\"/bin/sh\"]}' && rm -rf \"$d\"";
  auto r = test::run_command({"/bin/bash", "-c", script, "archive", out}, {}, seconds(120));
  if (r.exit_code != 0) std::fprintf(stderr, "building %s: %s\n", name.c_str(), r.both().c_str());
  return out;
}

// Cold pulls of one image, alternating runtime-runc's puller (a fresh store each time: fetch,
// verify, unpack) and `docker pull` after `docker rmi`; medians in ms.
std::pair<double, double> cold_pulls(const test::TestRegistry& registry, const std::string& name, int rounds) {
  std::string image = registry.host() + "/" + name;
  std::vector<double> runc_ms, docker_ms;
  for (int i = 0; i < rounds; ++i) {
    test::TempDir store_dir;
    runc::ImageStore store(store_dir.path());
    auto start = Clock::now();
    runc::pull_image(runc::parse_image_reference(image), store, {});
    runc_ms.push_back(ms_since(start));
    test::run_command({"docker", "rmi", "-f", image});
    start = Clock::now();
    auto pulled = test::run_command({"docker", "pull", "-q", image}, {}, seconds(120));
    docker_ms.push_back(ms_since(start));
    if (pulled.exit_code != 0) std::fprintf(stderr, "docker pull %s: %s\n", image.c_str(), pulled.both().c_str());
  }
  test::run_command({"docker", "rmi", "-f", image});
  return {percentile(runc_ms, 0.5), percentile(docker_ms, 0.5)};
}

}  // namespace

int main(int argc, char** argv) {
  int samples = argc > 1 ? std::atoi(argv[1]) : 20;
  int replicas = argc > 2 ? std::atoi(argv[2]) : 50;
  for (const auto& missing : {test::runc_missing_prerequisite(), test::registry_missing_prerequisite()})
    if (!missing.empty()) {
      std::fprintf(stderr, "kubelet_runc_bench: %s\n", missing.c_str());
      return 1;
    }
  auto images = test::run_command({std::string(SKIFF_SOURCE_DIR) + "/scripts/images.sh"});
  if (images.exit_code != 0) {
    std::fprintf(stderr, "scripts/images.sh: %s\n", images.both().c_str());
    return 1;
  }
  test::TempDir runc_root;
  test::NatsServer nats;
  test::PluginNode master(nats,
                          "  - name: store-lmdb\n"
                          "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
                          "  - name: scheduler-default\n    config: {leader_elect: false}\n"
                          "  - name: controller-manager\n    config: {leader_elect: false}\n",
                          "bench-master");
  master.start();
  test::PluginNode on_runc(nats,
                           "  - name: runtime-runc\n    config: {root: " + runc_root.path() + ", image_archives: [" +
                               test::busybox_image_archive() + "]}\n  - name: kubelet\n    config: {server_address: \"127.0.0.1:0\"}\n",
                           kRuncWorker);
  on_runc.start();
  test::PluginNode on_docker(nats, "  - name: runtime-docker\n    config: {network: docker-bridge}\n  - name: kubelet\n    config: {server_address: \"127.0.0.1:0\"}\n",
                             kDockerWorker);
  on_docker.start();
  sdk::ApiClient api(master.bus(), master.subjects());
  if (!test::wait_until([&] { return api.list<api::core::v1::Node>("", "").size() == 2; }, seconds(30)))
    std::fprintf(stderr, "the workers' Nodes did not register\n");
  runc::ImageStore store(runc_root.path() + "/images");
  auto busybox = store.find("docker.io/skiff/busybox:1");
  if (!busybox) {
    std::fprintf(stderr, "runtime-runc did not import %s:\n%s\n", kImage, on_runc.output().c_str());
    return 1;
  }
  std::string plugin_dir = SKIFF_RUNC_PLUGIN_DIR;  // where skiff-runc-init is built
  auto bare = std::make_unique<BareRunc>(store.layer_path(busybox->layers[0]), plugin_dir + "/skiff-runc-init");

  // 1. Startup, the three interleaved so that each sees the same machine.
  std::printf("Pod startup: API create -> Running, %d single-container pods one at a time, runtime-runc vs runtime-docker "
              "vs bare runc run --detach of the same bundle\n",
              samples);
  std::vector<double> runc_ms, docker_ms, bare_ms;
  bench::wait_idle(on_runc.pid());
  for (int i = 0; i < samples; ++i) {
    runc_ms.push_back(pod_start(api, "runc-" + std::to_string(i), kRuncWorker));
    docker_ms.push_back(pod_start(api, "docker-" + std::to_string(i), kDockerWorker));
    bare_ms.push_back(bare->run(i));
  }
  bare.reset();  // its containers go: only the pods' inits are counted below
  for (int i = 0; i < samples; ++i) {
    api.erase<Pod>("default", "runc-" + std::to_string(i));
    api.erase<Pod>("default", "docker-" + std::to_string(i));
  }
  auto line = [&](const char* what, const std::vector<double>& ms) {
    std::printf("  %-40s p50 %4.0f ms, p99 %4.0f ms (p99 %.2fx bare runc, %.2fx runtime-docker)\n", what,
                percentile(ms, 0.5), percentile(ms, 0.99), percentile(ms, 0.99) / percentile(bare_ms, 0.99),
                percentile(ms, 0.99) / percentile(docker_ms, 0.99));
  };
  line("runtime-runc (kubelet, sandbox + app):", runc_ms);
  line("runtime-docker (kubelet, sandbox + app):", docker_ms);
  line("bare runc run --detach (the limit):", bare_ms);
  if (std::getenv("SKIFF_BENCH_SAMPLES"))
    for (int i = 0; i < samples; ++i)
      std::printf("    #%d runc %.0f ms, docker %.0f ms, bare %.0f ms\n", i, runc_ms[static_cast<std::size_t>(i)],
                  docker_ms[static_cast<std::size_t>(i)], bare_ms[static_cast<std::size_t>(i)]);
  test::wait_until([&] { return api.list<Pod>("default", "").empty(); }, seconds(120), milliseconds(100));

  // 2 and 3. Replicas, one worker after the other; the supervision's memory with them running.
  bench::wait_idle(on_runc.pid());
  double runc_s = replicas_running(api, "fifty-runc", kRuncWorker, replicas);
  bench::wait_idle(on_runc.pid());
  Memory monitors = memory_of(test::processes_matching("skiff-runc-monitor /usr/sbin/runc " + runc_root.path()));
  Memory inits = memory_of(test::processes_matching("/.skiff/init sleep"));
  delete_and_wait(api, "fifty-runc");
  bench::wait_idle(on_docker.pid());
  // dockerd is shared with whatever else runs on the machine: its shims are counted as the
  // difference the 50 pods make.
  Memory shims_before = memory_of(test::processes_matching("containerd-shim-runc-v2 -namespace moby"));
  Memory inits_before = memory_of(test::processes_matching("/sbin/docker-init -- "));
  double docker_s = replicas_running(api, "fifty-docker", kDockerWorker, replicas);
  bench::wait_idle(on_docker.pid());
  Memory shims = minus(memory_of(test::processes_matching("containerd-shim-runc-v2 -namespace moby")), shims_before);
  Memory docker_inits = minus(memory_of(test::processes_matching("/sbin/docker-init -- ")), inits_before);
  delete_and_wait(api, "fifty-docker");
  std::printf("%d replicas from 0 to all Running: runtime-runc %.2f s, runtime-docker %.2f s (runc/docker %.2fx)\n",
              replicas, runc_s, docker_s, runc_s / docker_s);
  if (auto swarm_s = bench::swarm_replicas_running(kImage, replicas))
    std::printf("  Docker Swarm service, %d replicas: %.2f s (runc/Swarm %.2fx, goal <= 0.5x)\n", replicas, *swarm_s,
                runc_s / *swarm_s);
  std::printf("Supervision memory with %d pods running (summed over the processes, divided by the pods)\n", replicas);
  print_per_pod("runtime-runc: skiff-runc-monitor", monitors, replicas);
  print_per_pod("runtime-runc: skiff-runc-init (each container's PID 1)", inits, replicas);
  print_per_pod("runtime-docker: containerd-shim-runc-v2 (Docker's shims)", shims, replicas);
  print_per_pod("runtime-docker: docker-init (each container's PID 1)", docker_inits, replicas);

  // 4. Cold pulls from one local registry.
  test::TestRegistry registry;
  test::TempDir archives;
  registry.push("docker-archive:" + test::busybox_image_archive(), "skiff/cold-small:1");
  registry.push("docker-archive:" + image_archive_with(archives.path(), "skiff/cold-large:1", 64), "skiff/cold-large:1");
  std::printf("Cold pull from docker-registry on 127.0.0.1 (median of 3): runtime-runc's puller (fetch, verify, unpack) vs "
              "docker pull\n");
  for (const auto& [name, what] : {std::pair{"skiff/cold-small:1", "busybox (1 layer, ~1 MB gzip)"},
                                   {"skiff/cold-large:1", "busybox + 64 MB random (1 layer)"}}) {
    auto [runc_pull, docker_pull] = cold_pulls(registry, name, 3);
    std::printf("  %-36s runtime-runc %6.0f ms, docker pull %6.0f ms (runc/docker %.2fx)\n", what, runc_pull, docker_pull,
                runc_pull / docker_pull);
  }
  if (std::getenv("SKIFF_BENCH_LOG")) std::fprintf(stderr, "%s\n%s\n", on_runc.output().c_str(), on_docker.output().c_str());
  return 0;
}
