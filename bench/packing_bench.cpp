// Does a ReplicaSet's scale-down leave nodes empty? scheduler-default, scheduler-binpack with
// MostAllocated alone, and scheduler-binpack as shipped (MostAllocated + OwnerColocation), each
// on fake nodes (the fake kubelet: pods run and turn Ready, deletions complete) with the real
// controller-manager, whose ReplicaSet controller picks the pods to delete by its own ranking
// (unscheduled, pending, not ready, more restarts, then the newest; pods created in the same
// second come in no particular order). Three scenarios, the same for every scheduler:
//   burst:  three ReplicaSets of 16 created at once;
//   day:    three ReplicaSets of 16 created one after another, then a fixed (seeded) series of
//           scale-ups and scale-downs a second or more apart;
// then ReplicaSet a scaled to 4, then to 0; and
//   refill: a and b of 16 one after another, both scaled to 12, a back to 16; then b to 4, to 0.
// It counts the nodes running no pod. Usage: packing_bench [repeats=1] [rounds=12] [nodes=24]
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include "fake_kubelet.hpp"
#include "plugin_node.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/time.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono;
namespace core = api::core::v1;
namespace apps = api::apps::v1;

constexpr int kPodsPerNode = 8;  // 500m of 4 CPUs
const std::vector<std::string> kReplicaSets = {"a", "b", "c"};

struct Variant {
  std::string name;
  std::string plugin_yaml;
};

const std::vector<Variant> kVariants = {
    {"scheduler-default", "  - name: scheduler-default\n    config: {leader_elect: false}\n"},
    {"binpack, MostAllocated only",
     "  - name: scheduler-binpack\n    config: {leader_elect: false, scheduler_name: default-scheduler, "
     "scorers: {MostAllocated: 5, NodeAffinity: 2, TaintToleration: 3}}\n"},
    {"binpack (+ OwnerColocation)",
     "  - name: scheduler-binpack\n    config: {leader_elect: false, scheduler_name: default-scheduler}\n"},
};

apps::ReplicaSet replica_set(const std::string& name, int replicas) {
  apps::ReplicaSet rs;
  rs.mutable_metadata()->set_name(name);
  rs.mutable_metadata()->set_namespace_("default");
  rs.mutable_spec()->set_replicas(replicas);
  (*rs.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = name;
  auto* t = rs.mutable_spec()->mutable_template_();
  (*t->mutable_metadata()->mutable_labels())["app"] = name;
  auto* c = t->mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image("registry.local/app:1");
  (*c->mutable_resources()->mutable_requests())["cpu"] = "500m";
  (*c->mutable_resources()->mutable_requests())["memory"] = "1Gi";
  return rs;
}

// A control plane with one scheduler variant, the controller-manager and `nodes` fake nodes.
class Cluster {
 public:
  Cluster(const Variant& variant, int nodes)
      : node_(nats_,
              "  - name: store-lmdb\n    config: {map_size: 1Gi}\n"
              "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n" + variant.plugin_yaml +
                  "  - name: controller-manager\n    config: {leader_elect: false}\n",
              "packing"),
        nodes_(nodes) {
    node_.start();
    api_ = std::make_unique<sdk::ApiClient>(node_.bus(), node_.subjects());
    std::vector<std::string> names;
    for (int i = 0; i < nodes; ++i) names.push_back("node-" + std::to_string(i));
    test::FakeKubeletOptions options;
    options.cpu = "4";
    options.memory = "16Gi";
    options.heartbeat = seconds(10);
    kubelet_ = std::make_unique<test::FakeKubelet>(node_.bus(), node_.subjects(), names, options);
  }
  ~Cluster() { kubelet_.reset(); }

  // Creates or scales a ReplicaSet (not waiting).
  void request(const std::string& name, int replicas) {
    wanted_[name] = replicas;
    if (!exists_.insert(name).second) scale(name, replicas);
    else api_->create(replica_set(name, replicas));
  }
  // Waits until every ReplicaSet has its pods running and no pod is terminating; then until the
  // clock's second turns, so that pods created later are newer.
  void settle() {
    if (!test::wait_until([&] { return settled(); }, seconds(60), milliseconds(20)))
      std::fprintf(stderr, "  (did not settle)\n");
    std::string second = sdk::now_rfc3339();
    test::wait_until([&] { return sdk::now_rfc3339() != second; }, seconds(2), milliseconds(20));
  }
  void set_replicas(const std::string& name, int replicas) {
    request(name, replicas);
    settle();
  }

  int empty_nodes() const {
    std::set<std::string> used;
    for (const auto& p : api_->list<core::Pod>("default")) used.insert(p.spec().node_name());
    used.erase("");
    return nodes_ - static_cast<int>(used.size());
  }
  int pods() const {
    int total = 0;
    for (const auto& [name, replicas] : wanted_) total += replicas;
    return total;
  }

 private:
  void scale(const std::string& name, int replicas) {
    for (int attempt = 0;; ++attempt) {  // the controller writes the status meanwhile: retry on 409
      auto rs = api_->get<apps::ReplicaSet>("default", name);
      rs.mutable_spec()->set_replicas(replicas);
      try {
        api_->update(rs);
        return;
      } catch (const sdk::Error& e) {
        if (e.status().code != 409 || attempt >= 100) throw;
      }
    }
  }
  bool settled() const {
    std::map<std::string, int> running;
    for (const auto& p : api_->list<core::Pod>("default")) {
      if (!p.metadata().deletion_timestamp().empty() || p.status().phase() != "Running") return false;
      ++running[p.metadata().labels().at("app")];
    }
    for (const auto& [name, replicas] : wanted_)
      if (running[name] != replicas) return false;
    return true;
  }

  test::NatsServer nats_;
  test::PluginNode node_;
  int nodes_;
  std::unique_ptr<sdk::ApiClient> api_;
  std::unique_ptr<test::FakeKubelet> kubelet_;
  std::map<std::string, int> wanted_;
  std::set<std::string> exists_;
};

int fewest_nodes(int pods) { return (pods + kPodsPerNode - 1) / kPodsPerNode; }

struct Outcome {
  std::string scaled;       // the ReplicaSet scaled down at the end
  int used_before = 0;      // nodes running pods before the scale-downs
  int freed_partly = 0;     // nodes left empty by scaling it down to 4
  int freed_to_zero = 0;    // … and then to 0
  int empty_after = 0;      // nodes running no pod at the end
  int best_empty_after = 0;  // if the pods left were packed as tightly as they fit
  double mean_empty_after_scale_down = 0;  // day: over the series' own scale-downs
};

// Scales one ReplicaSet to 4, then to 0, counting the nodes each step leaves empty.
void scale_down(Cluster& cluster, const std::string& name, int nodes, Outcome& out) {
  out.scaled = name;
  int empty = cluster.empty_nodes();
  out.used_before = nodes - empty;
  cluster.set_replicas(name, 4);
  out.freed_partly = cluster.empty_nodes() - empty;
  empty = cluster.empty_nodes();
  cluster.set_replicas(name, 0);
  out.empty_after = cluster.empty_nodes();
  out.freed_to_zero = out.empty_after - empty;
  out.best_empty_after = nodes - fewest_nodes(cluster.pods());
}

Outcome burst(const Variant& variant, int nodes) {
  Cluster cluster(variant, nodes);
  for (const auto& name : kReplicaSets) cluster.request(name, 16);  // created concurrently: their pods interleave
  cluster.settle();
  Outcome out;
  scale_down(cluster, "a", nodes, out);
  return out;
}

// Holes in both ReplicaSets' nodes, then one grows back: into its own holes, or the fullest node's?
Outcome refill(const Variant& variant, int nodes) {
  Cluster cluster(variant, nodes);
  for (const auto& name : {"a", "b"}) cluster.set_replicas(name, 16);
  for (const auto& name : {"a", "b"}) cluster.set_replicas(name, 12);
  cluster.set_replicas("a", 16);
  Outcome out;
  scale_down(cluster, "b", nodes, out);
  return out;
}

Outcome day_of_scaling(const Variant& variant, int nodes, int rounds) {
  Cluster cluster(variant, nodes);
  for (const auto& name : kReplicaSets) cluster.set_replicas(name, 16);
  std::mt19937 events(2026);  // the same series for every scheduler
  std::map<std::string, int> replicas = {{"a", 16}, {"b", 16}, {"c", 16}};
  int scale_downs = 0, empty_sum = 0;
  for (int i = 0; i < rounds; ++i) {
    std::string name = kReplicaSets[std::uniform_int_distribution<std::size_t>(0, 2)(events)];
    int target = std::uniform_int_distribution<int>(4, 40)(events);
    cluster.set_replicas(name, target);
    if (target < replicas[name]) {
      ++scale_downs;
      empty_sum += cluster.empty_nodes();
    }
    replicas[name] = target;
  }
  Outcome out;
  out.mean_empty_after_scale_down = scale_downs ? static_cast<double>(empty_sum) / scale_downs : 0;
  scale_down(cluster, "a", nodes, out);
  return out;
}

void print(const char* scenario, const Variant& variant, const Outcome& o) {
  std::printf("  %-28s %-6s %2d nodes in use; %s -> 4 freed %d, -> 0 freed %d; empty at the end %2d (at best %d)",
              variant.name.c_str(), scenario, o.used_before, o.scaled.c_str(), o.freed_partly, o.freed_to_zero,
              o.empty_after, o.best_empty_after);
  if (o.mean_empty_after_scale_down > 0)
    std::printf("; empty after the day's scale-downs: %.2f on average", o.mean_empty_after_scale_down);
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = argc > 1 ? std::atoi(argv[1]) : 1;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 12;
  int nodes = argc > 3 ? std::atoi(argv[3]) : 24;
  std::printf("Packing: %d fake nodes of 4 CPUs, pods of 500m (8 per node), ReplicaSets a, b, c; %d run(s) each\n", nodes,
              repeats);
  for (const auto& variant : kVariants)
    for (int run = 1; run <= repeats; ++run) {
      print("burst", variant, burst(variant, nodes));
      print("day", variant, day_of_scaling(variant, nodes, rounds));
      print("refill", variant, refill(variant, nodes));
    }
  return 0;
}
