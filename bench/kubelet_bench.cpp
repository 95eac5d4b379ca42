// Pods on real Docker: a master skiffd (store, apiserver, scheduler, controller-manager) and
// a worker skiffd (kubelet + runtime-docker) on one bus, against the same dockerd used bare
// (Engine API create+start) and through Docker Swarm, in the same run.
//   1. pod startup: API create -> Running for 20 single-container pods, one at a time,
//      interleaved with bare create+start of the same image and command, and with Docker's
//      own floor for a pod (sandbox + joined app container through the Engine API);
//   2. 50 replicas from 0 to all Running: a Deployment vs a Swarm service;
//   3. the worker's RSS idle and with 50 pods.
#include <algorithm>
#include <cstdio>
#include <numeric>

#include <boost/json.hpp>

#include "bench_support.hpp"
#include "command.hpp"
#include "docker_client.hpp"
#include "docker_swarm.hpp"
#include "plugin_node.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/runtime/labels.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono;
namespace json = boost::json;
using Clock = steady_clock;
using api::core::v1::Pod;

const char* kWorker = "bench-worker";
const char* kImage = "skiff/busybox:1";

double ms_since(Clock::time_point start) { return duration<double, std::milli>(Clock::now() - start).count(); }

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

void fill_container(api::core::v1::PodSpec& spec) {
  spec.set_termination_grace_period_seconds(0);
  auto* c = spec.add_containers();
  c->set_name("app");
  c->set_image(kImage);
  c->set_image_pull_policy("IfNotPresent");
  c->add_command("sleep");
  c->add_command("3600");
}

std::vector<std::string> worker_containers(const docker::DockerClient& docker) {
  json::object filters{{"label", json::array{json::string(std::string(skiff::sdk::label::kNode) + "=" + kWorker)}}};
  auto r = docker.call("GET", "/containers/json?all=1&filters=" + docker::url_escape(json::serialize(filters)));
  std::vector<std::string> ids;
  json::value list = r.json();  // kept: the loop reads into it
  for (const auto& c : list.as_array()) ids.emplace_back(c.at("Id").as_string());
  return ids;
}

void wait_no_worker_containers(const docker::DockerClient& docker) {
  if (!test::wait_until([&] { return worker_containers(docker).empty(); }, seconds(120), milliseconds(100)))
    std::fprintf(stderr, "the worker's containers did not go away\n");
}

// Bare Docker: create + start of one container like the pod's app container.
double bare_docker_start(const docker::DockerClient& docker, std::vector<std::string>& created) {
  json::object body{{"Image", kImage},
                    {"Cmd", json::array{"sleep", "3600"}},
                    {"Labels", json::object{{"io.skiff.bench", "bare"}}},
                    {"HostConfig", json::object{{"Init", true}}}};
  auto start = Clock::now();
  auto r = docker.call("POST", "/containers/create", json::value(body));
  std::string id(r.json().at("Id").as_string());
  docker.call("POST", "/containers/" + id + "/start");
  double ms = ms_since(start);
  created.push_back(id);
  return ms;
}

std::string create_container(const docker::DockerClient& docker, const json::object& body) {
  auto r = docker.call("POST", "/containers/create", json::value(body));
  return std::string(r.json().at("Id").as_string());
}

// Docker's own floor for a pod, no Skiff: what runtime-docker asks of the Engine API — a
// sandbox on the bridge (the pod's network and IPC), then the app container joined to it.
double bare_docker_pod_start(const docker::DockerClient& docker, std::vector<std::string>& created) {
  json::object labels{{"io.skiff.bench", "bare-pod"}};
  json::object sandbox{{"Image", "skiff/pause:1"},
                       {"Labels", labels},
                       {"HostConfig", json::object{{"NetworkMode", "bridge"}, {"IpcMode", "shareable"}}}};
  auto start = Clock::now();
  std::string sandbox_id = create_container(docker, sandbox);
  docker.call("POST", "/containers/" + sandbox_id + "/start");
  json::object app{{"Image", kImage},
                   {"Cmd", json::array{"sleep", "3600"}},
                   {"Labels", labels},
                   {"HostConfig", json::object{{"Init", true},
                                               {"NetworkMode", "container:" + sandbox_id},
                                               {"IpcMode", "container:" + sandbox_id}}}};
  std::string app_id = create_container(docker, app);
  docker.call("POST", "/containers/" + app_id + "/start");
  double ms = ms_since(start);
  created.push_back(app_id);
  created.push_back(sandbox_id);
  return ms;
}

double skiff_pod_start(const sdk::ApiClient& api, int i) {
  Pod pod;
  pod.mutable_metadata()->set_name("start-" + std::to_string(i));
  pod.mutable_metadata()->set_namespace_("default");
  fill_container(*pod.mutable_spec());
  auto start = Clock::now();
  api.create(pod);
  bool running = test::wait_until([&] { return api.get<Pod>("default", pod.metadata().name()).status().phase() == "Running"; },
                                  seconds(60), milliseconds(2));
  if (!running) std::fprintf(stderr, "pod %s did not reach Running\n", pod.metadata().name().c_str());
  return ms_since(start);
}

int running_pods(const sdk::ApiClient& api) {
  int n = 0;
  for (const auto& p : api.list<Pod>("default", "app=fifty")) n += p.status().phase() == "Running";
  return n;
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
  docker::DockerClient docker("/var/run/docker.sock", "v1.41", seconds(60));

  test::NatsServer nats;
  test::PluginNode master(nats,
                          "  - name: store-lmdb\n"
                          "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
                          "  - name: scheduler-default\n    config: {leader_elect: false}\n"
                          "  - name: controller-manager\n    config: {leader_elect: false}\n",
                          "bench-master");
  master.start();
  test::PluginNode worker(nats, "  - name: runtime-docker\n    config: {network: docker-bridge}\n  - name: kubelet\n    config: {server_address: \"127.0.0.1:0\"}\n", kWorker);
  worker.start();
  sdk::ApiClient api(master.bus(), master.subjects());
  if (!test::wait_until([&] { return !api.list<api::core::v1::Node>("", "").empty(); }, seconds(30)))
    std::fprintf(stderr, "the worker's Node did not register\n");
  bench::wait_idle(worker.pid());
  long idle_rss = bench::rss_kb(worker.pid());

  // 1. Startup latency, Skiff and bare Docker interleaved so both see the same machine.
  std::printf("Pod startup on Docker %s: API create -> Running, %d single-container pods one at a time, vs bare "
              "Engine API create+start of the same image and command\n",
              std::string(docker.call("GET", "/version").json().at("Version").as_string()).c_str(), samples);
  std::vector<double> skiff_ms, docker_ms, docker_pod_ms;
  std::vector<std::string> bare;
  for (int i = 0; i < samples; ++i) {
    skiff_ms.push_back(skiff_pod_start(api, i));
    docker_ms.push_back(bare_docker_start(docker, bare));
    docker_pod_ms.push_back(bare_docker_pod_start(docker, bare));
  }
  for (const auto& id : bare) docker.call("DELETE", "/containers/" + id + "?force=1");
  for (int i = 0; i < samples; ++i) api.erase<Pod>("default", "start-" + std::to_string(i));
  wait_no_worker_containers(docker);
  double s50 = percentile(skiff_ms, 0.5), s99 = percentile(skiff_ms, 0.99);
  double d50 = percentile(docker_ms, 0.5), d99 = percentile(docker_ms, 0.99);
  std::printf("  skiff (scheduler, kubelet, sandbox + app container): p50 %.0f ms, p99 %.0f ms\n", s50, s99);
  std::printf("  bare docker (one container):                          p50 %.0f ms, p99 %.0f ms\n", d50, d99);
  if (std::getenv("SKIFF_BENCH_SAMPLES")) {
    for (std::size_t i = 0; i < skiff_ms.size(); ++i) std::printf("    #%zu skiff %.0f ms, docker %.0f ms\n", i, skiff_ms[i], docker_ms[i]);
  }
  std::printf("  ratio p99 skiff/docker: %.2fx (target <= 1.25x); p50 %.2fx\n", s99 / d99, s50 / d50);
  double p50 = percentile(docker_pod_ms, 0.5), p99 = percentile(docker_pod_ms, 0.99);
  std::printf("  bare docker pod (sandbox, then app joined; no Skiff): p50 %.0f ms, p99 %.0f ms = %.2fx one container "
              "(p99); skiff / this floor: p99 %.2fx, p50 %.2fx\n",
              p50, p99, p99 / d99, s99 / p99, s50 / p50);

  // 2. 50 replicas: a Deployment vs a Swarm service, same image and command.
  bench::wait_idle(worker.pid());
  auto start = Clock::now();
  auto fifty = bench::deployment("fifty", replicas, kImage);
  auto* template_spec = fifty.mutable_spec()->mutable_template_()->mutable_spec();
  template_spec->clear_containers();
  fill_container(*template_spec);
  api.create(fifty);
  bool all = test::wait_until([&] { return running_pods(api) == replicas; }, seconds(300), milliseconds(20));
  double skiff_s = duration<double>(Clock::now() - start).count();
  if (!all) std::fprintf(stderr, "only %d of %d pods Running\n", running_pods(api), replicas);
  bench::wait_idle(worker.pid());
  long busy_rss = bench::rss_kb(worker.pid());
  api.erase<api::apps::v1::Deployment>("default", "fifty");
  wait_no_worker_containers(docker);

  double swarm_s = bench::swarm_replicas_running(kImage, replicas).value_or(0);
  std::printf("%d replicas from 0 to all Running on the same dockerd\n", replicas);
  std::printf("  skiff Deployment: %.2f s; docker swarm service: %.2f s; ratio %.2fx (target <= 0.5x)\n", skiff_s, swarm_s,
              skiff_s / swarm_s);

  std::printf("Worker node RSS (one skiffd: kernel + kubelet + runtime-docker)\n");
  std::printf("  idle: %.1f MB (target <= 25 MB); with %d pods: %.1f MB (target <= 40 MB)\n", idle_rss / 1024.0, replicas,
              busy_rss / 1024.0);
  std::printf("  private memory (RssAnon) idle: %.1f MB\n", bench::status_kb(worker.pid(), "RssAnon") / 1024.0);
  if (std::getenv("SKIFF_BENCH_LOG")) std::fprintf(stderr, "%s\n%s\n", master.output().c_str(), worker.output().c_str());
  return 0;
}
