// A complete scheduler on the framework: informers for nodes and pods, the queue, the filter
// and score stages, asynchronous binding through pods/binding, the Pending reasons as a
// PodScheduled=False condition and a FailedScheduling event, and leader election so that
// replicas can stand by. A scheduler plugin is this plus its config.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/leader_election.hpp"
#include "skiff/sdk/metrics.hpp"
#include "skiff/sdk/scheduling/framework.hpp"
#include "skiff/sdk/scheduling/scheduling_queue.hpp"
#include "skiff/sdk/subjects.hpp"

namespace spdlog {
class logger;
}

namespace skiff::sdk::scheduling {

struct SchedulerOptions {
  // Pods whose spec.schedulerName is this (an empty schedulerName means "default-scheduler").
  std::string scheduler_name = "default-scheduler";
  // The built-in filters to run, by name, in order. Unset: every built-in filter
  // (filter_names()), as Kubernetes' default profile. Set, even to an empty list: exactly these
  // (then only the filters given to add_filter() run besides).
  std::optional<std::vector<std::string>> filters;
  // The built-in scorers with their weights (each at least 1). Unset: default_scorers(), the
  // weights of Kubernetes' default profile. Set, even to an empty list: exactly these.
  std::optional<std::vector<std::pair<std::string, int>>> scorers;
  // How many of the nodes to look at when many fit: 0 lets it adapt as Kubernetes does
  // (50 % minus 1 % per 125 nodes, at least 5 %, and never fewer than 100 nodes).
  int percentage_of_nodes_to_score = 0;
  // Threads filtering and scoring nodes (kube-scheduler's parallelism), the scheduling thread
  // included; 0: one per hardware thread. The result is the same as with 1.
  int parallelism = 0;
  int bind_workers = 4;  // binding requests in flight, each carrying up to 500 bindings
  QueueOptions queue;
  bool leader_elect = true;
  LeaderElectionOptions leader_election;  // its name defaults to scheduler_name
  std::string host;                       // events' source.host
  Metrics* metrics = nullptr;
};

class Scheduler {
 public:
  // Throws Error(400) naming an unknown filter or scorer and listing the known ones.
  Scheduler(Bus& bus, const Subjects& subjects, SchedulerOptions options, spdlog::logger* log = nullptr);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Stages of one's own, run after the built-in ones of the options; call before start().
  // add_scorer throws Error(400) for a weight below 1.
  void add_filter(std::unique_ptr<Filter> filter);
  void add_scorer(std::unique_ptr<Scorer> scorer, int weight);

  void start();
  void stop();
  // Something the scheduler's own informers do not watch changed in a way that may let parked
  // pods fit (a claim bound, a volume made, as kube-scheduler's queueing hints for PVC/PV
  // events): the pods that fit nowhere are tried again now rather than after the
  // unschedulable timeout. Safe from any thread, before start() and after stop().
  void cluster_changed();
  bool is_leader() const;
  bool synced() const;

  struct Stats {
    std::uint64_t scheduled = 0;
    std::uint64_t unschedulable = 0;  // attempts that found no node
    std::uint64_t bind_errors = 0;
    std::size_t pending = 0;
  };
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::sdk::scheduling
