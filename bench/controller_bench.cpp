// A Deployment of 10,000 replicas from create to every pod Running and the Deployment
// Available, then a rolling update of it — the scheduler and the controller-manager doing
// the work, a fake kubelet on 100 nodes marking pods Running at once. The controller-manager
// runs in a child skiffd of its own, so that its RSS is its own.
#include <cstdio>
#include <map>

#include "bench_support.hpp"
#include "fake_kubelet.hpp"
#include "plugin_node.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "subprocess.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono;
namespace apps = api::apps::v1;
using Clock = steady_clock;

// Where the pods are, when a rollout is stuck: counts by ReplicaSet, phase, Ready and
// whether they are being deleted.
void print_pod_census(const sdk::ApiClient& api) {
  std::map<std::string, int> census;
  for (const auto& pod : api.list<api::core::v1::Pod>("default")) {
    std::string owner = pod.metadata().owner_references_size() ? pod.metadata().owner_references(0).name() : "-";
    std::string ready = "Ready=?";
    for (const auto& c : pod.status().conditions())
      if (c.type() == "Ready") ready = "Ready=" + c.status();
    std::string node = pod.spec().node_name().empty() ? "unbound" : "bound";
    std::string terminating = pod.metadata().deletion_timestamp().empty() ? "" : " terminating";
    ++census[owner + " " + node + " " + pod.status().phase() + " " + ready + terminating];
  }
  for (const auto& [what, count] : census) std::fprintf(stderr, "  pods %s: %d\n", what.c_str(), count);
}

// The store's revision now, read off a marker object (every write takes one revision).
long store_revision(const sdk::ApiClient& api) {
  api::core::v1::ConfigMap marker;
  marker.mutable_metadata()->set_namespace_("default");
  marker.mutable_metadata()->set_generate_name("revision-marker-");
  return std::stol(api.create(marker).metadata().resource_version());
}

// Seconds until the Deployment reports every replica updated and available.
double until_rolled_out(const sdk::ApiClient& api, int replicas, Clock::time_point start) {
  bool done = test::wait_until([&] {
    auto d = api.get<apps::Deployment>("default", "big");
    const auto& s = d.status();
    return s.observed_generation() >= d.metadata().generation() && s.updated_replicas() == replicas &&
           s.replicas() == replicas && s.available_replicas() == replicas;
  }, seconds(120), milliseconds(20));
  if (!done) {
    auto d = api.get<apps::Deployment>("default", "big");
    std::fprintf(stderr, "rollout stuck: generation %ld observed %ld, replicas %d updated %d ready %d available %d\n",
                 static_cast<long>(d.metadata().generation()), static_cast<long>(d.status().observed_generation()),
                 d.status().replicas(), d.status().updated_replicas(), d.status().ready_replicas(),
                 d.status().available_replicas());
    for (const auto& rs : api.list<apps::ReplicaSet>("default"))
      std::fprintf(stderr, "  %s: spec %d, status %d ready %d available %d\n", rs.metadata().name().c_str(),
                   rs.spec().replicas(), rs.status().replicas(), rs.status().ready_replicas(),
                   rs.status().available_replicas());
    print_pod_census(api);
  }
  return duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int replicas = argc > 1 ? std::atoi(argv[1]) : 10000;
  int node_count = argc > 2 ? std::atoi(argv[2]) : 100;
  test::NatsServer nats;
  test::PluginNode node(nats,
                        "  - name: store-lmdb\n    config: {map_size: 8Gi}\n"
                        "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false, bus_workers: 16}\n"
                        "  - name: scheduler-default\n    config: {leader_elect: false}\n"
                        "  - name: controller-manager\n    isolation: process\n    config: {leader_elect: false}\n",
                        "bench");
  node.start();
  sdk::ApiClient api(node.bus(), node.subjects());
  std::vector<std::string> names;
  for (int i = 0; i < node_count; ++i) names.push_back("node-" + std::to_string(i));
  test::FakeKubeletOptions options;
  options.pods = std::to_string(replicas / node_count * 2 + 10);
  options.cpu = "64";
  options.memory = "256Gi";
  options.heartbeat = seconds(10);
  options.workers = 16;
  test::FakeKubelet kubelet(node.bus(), node.subjects(), names, options);
  bench::wait_idle(node.pid());

  std::printf("Controllers: a Deployment of %d replicas on %d fake nodes (scheduler-default, controller-manager, a fake "
              "kubelet marking pods Running and Ready at once)\n",
              replicas, node_count);
  long revision_before_create = store_revision(api);
  auto start = Clock::now();
  auto big = bench::deployment("big", replicas, "registry.local/app:1", "16Mi");
  // SKIFF_BENCH_NO_TOKEN=1: pods without the service account's token volume (what it costs).
  if (std::getenv("SKIFF_BENCH_NO_TOKEN"))
    big.mutable_spec()->mutable_template_()->mutable_spec()->set_automount_service_account_token(false);
  api.create(big);
  double create = until_rolled_out(api, replicas, start);
  std::printf("  create -> all %d pods Running and the Deployment Available: %.2f s, %.0f pods/s (target <= 5 s)\n", replicas,
              create, replicas / create);
  auto children = test::processes_matching("--only controller-manager");
  long rss = children.empty() ? -1 : bench::rss_kb(children[0]);

  bench::wait_idle(node.pid());
  auto d = api.get<apps::Deployment>("default", "big");
  d.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image("registry.local/app:2");
  long revision_before_update = store_revision(api);
  start = Clock::now();
  api.update(d);
  double update = until_rolled_out(api, replicas, start);
  bench::wait_idle(node.pid());
  long revision_after_update = store_revision(api);
  std::printf("  rolling update (25%% surge, 25%% unavailable) to a new image: %.2f s (target <= 10 s)\n", update);
  if (!children.empty()) rss = std::max(rss, bench::rss_kb(children[0]));
  std::printf("  controller-manager RSS with %d pods, 2 ReplicaSets cached: %.0f MB (target <= 100 MB)\n", replicas,
              rss / 1024.0);
  std::printf("  store writes: create %ld, rolling update %ld (until idle)\n",
              revision_before_update - revision_before_create - 1, revision_after_update - revision_before_update - 1);
  if (!children.empty())
    std::printf("  CPU over both: controller-manager %.1f s, the rest of the master %.1f s\n",
                bench::cpu_seconds(children[0]), bench::cpu_seconds(node.pid()));
  bool stuck = create >= 120 || update >= 120;  // until_rolled_out's deadline
  if (stuck || std::getenv("SKIFF_BENCH_LOG")) std::fprintf(stderr, "%s\n", node.output().c_str());
  return 0;
}
