#include "scheduler_plugin.hpp"
#include "volume_binding.hpp"

#include <spdlog/logger.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "skiff/sdk/capabilities.hpp"
#include "skiff/sdk/scheduling/framework.hpp"

namespace skiff::scheduler {

using namespace skiff::sdk;

namespace {

std::string all_filters() {
  std::string yaml = "[";
  for (const auto& name : scheduling::filter_names()) yaml += (yaml.size() > 1 ? ", " : "") + name;
  return yaml + "]";
}

std::vector<std::pair<std::string, int>> parse_scorers(const std::string& yaml_text) {
  std::vector<std::pair<std::string, int>> scorers;
  YAML::Node map = YAML::Load(yaml_text);
  if (!map.IsMap()) throw Error(Status::Invalid("config scorers: expected a map of scorer name to weight, like {LeastAllocated: 1}"));
  for (const auto& entry : map) {
    std::string name = entry.first.as<std::string>();
    int weight = 0;
    try {
      weight = entry.second.as<int>();
    } catch (const YAML::Exception&) {
      throw Error(Status::Invalid("config scorers: the weight of " + name + " is not a whole number"));
    }
    scorers.emplace_back(name, weight);
  }
  return scorers;
}

// What skiffd checks (with the profile's line) before the scheduler runs.
void constrain(ConfigTable& table) {
  auto key = [&](std::string_view name) -> ConfigKey& {
    return *std::find_if(table.begin(), table.end(), [&](const ConfigKey& k) { return k.name == name; });
  };
  key("filters").one_of = scheduling::filter_names();
  key("percentage_of_nodes_to_score").minimum = "0";
  key("percentage_of_nodes_to_score").maximum = "100";
  key("parallelism").minimum = "0";
  key("parallelism").maximum = "256";
  key("bind_workers").minimum = "1";
  key("bind_workers").maximum = "64";
  for (const char* duration : {"pod_initial_backoff", "pod_max_backoff", "unschedulable_timeout", "lease_duration",
                               "renew_deadline", "retry_period"})
    key(duration).minimum = "1ms";
}

}  // namespace

std::string scorers_yaml(const std::vector<std::pair<std::string, int>>& scorers) {
  std::string yaml = "{";
  for (const auto& [name, weight] : scorers) yaml += (yaml.size() > 1 ? ", " : "") + name + ": " + std::to_string(weight);
  return yaml + "}";
}

Manifest scheduler_manifest(const SchedulerDefaults& d) {
  Manifest m;
  m.name = d.plugin_name;
  m.kind = "scheduler";
  m.version = "0.1.0";
  m.description = d.description;
  m.provides = {{capability::kScheduler, false}};
  m.config = {
      {"scheduler_name", ConfigType::String, d.scheduler_name, "the spec.schedulerName of the pods this scheduler places"},
      {"filters", ConfigType::List, all_filters(), "filters a node must pass, in order"},
      {"scorers", ConfigType::Map, d.scorers, "scorers ranking the nodes that pass, with their weights"},
      {"percentage_of_nodes_to_score", ConfigType::Int, "0",
       "stop filtering once this share of the nodes fit (0: adaptive, as Kubernetes; never fewer than 100 nodes)"},
      {"parallelism", ConfigType::Int, "0",
       "threads filtering and scoring nodes, the scheduling thread included (0: one per hardware thread), as "
       "kube-scheduler's parallelism"},
      {"bind_workers", ConfigType::Int, "4", "binding requests in flight at once (each carries the bindings gathered meanwhile, up to 500)"},
      {"pod_initial_backoff", ConfigType::Duration, "1s", "wait before retrying a pod that failed, doubled each time"},
      {"pod_max_backoff", ConfigType::Duration, "10s", "the longest such wait"},
      {"unschedulable_timeout", ConfigType::Duration, "60s", "pods that fit nowhere are retried after this even if nothing changed"},
      {"leader_elect", ConfigType::Bool, "true", "replicas elect one active scheduler through a Lease"},
      {"lease_name", ConfigType::String, "", "the Lease in kube-system (default: scheduler_name)"},
      {"lease_duration", ConfigType::Duration, "15s", "how long a leader's lease lasts without renewal"},
      {"renew_deadline", ConfigType::Duration, "10s", "a leader that cannot renew for this long steps down"},
      {"retry_period", ConfigType::Duration, "2s", "how often the lease is tried or renewed"},
  };
  constrain(m.config);
  return m;
}

void SchedulerPlugin::start() {
  const Config& config = context_.config();
  scheduling::SchedulerOptions options;
  options.scheduler_name = config.get_string("scheduler_name");
  if (options.scheduler_name.empty()) throw Error(Status::Invalid("config scheduler_name: must not be empty"));
  options.filters = config.get_list("filters");
  options.scorers = parse_scorers(config.get_yaml("scorers"));
  options.percentage_of_nodes_to_score = static_cast<int>(config.get_int("percentage_of_nodes_to_score"));
  if (options.percentage_of_nodes_to_score < 0 || options.percentage_of_nodes_to_score > 100)
    throw Error(Status::Invalid("config percentage_of_nodes_to_score: must be between 0 and 100"));
  options.parallelism = static_cast<int>(config.get_int("parallelism"));
  if (options.parallelism < 0 || options.parallelism > 256)
    throw Error(Status::Invalid("config parallelism: must be between 0 (one thread per hardware thread) and 256"));
  options.bind_workers = static_cast<int>(config.get_int("bind_workers"));
  if (options.bind_workers < 1) throw Error(Status::Invalid("config bind_workers: must be at least 1"));
  options.queue.initial_backoff = config.get_duration("pod_initial_backoff");
  options.queue.max_backoff = config.get_duration("pod_max_backoff");
  options.queue.unschedulable_timeout = config.get_duration("unschedulable_timeout");
  options.leader_elect = config.get_bool("leader_elect");
  options.leader_election.name = config.has("lease_name") ? config.get_string("lease_name") : options.scheduler_name;
  options.leader_election.identity = context_.node().node + "_" + context_.name();
  options.leader_election.lease_duration = config.get_duration("lease_duration");
  options.leader_election.renew_deadline = config.get_duration("renew_deadline");
  options.leader_election.retry_period = config.get_duration("retry_period");
  if (options.leader_election.renew_deadline >= options.leader_election.lease_duration)
    throw Error(Status::Invalid("config renew_deadline: must be shorter than lease_duration"));
  options.host = context_.node().node;
  options.metrics = &context_.metrics();
  scheduler_ = std::make_unique<scheduling::Scheduler>(context_.bus(), context_.subjects(), options, &context_.log());
  // Volume binding needs claims, volumes and classes, which the SDK's scheduler does not watch.
  // Claim and volume events wake pods parked on them, instead of the unschedulable timeout.
  auto volume_binding = std::make_unique<VolumeBinding>(context_.bus(), context_.subjects(), &context_.log(),
                                                        [scheduler = scheduler_.get()] { scheduler->cluster_changed(); });
  volume_binding->start();
  scheduler_->add_filter(std::move(volume_binding));
  scheduler_->start();
  context_.log().info("scheduling pods with schedulerName {} ({} filters, {} scorers{})", options.scheduler_name,
                      options.filters->size(), options.scorers->size(),
                      options.leader_elect ? ", leader election on lease kube-system/" + options.leader_election.name : "");
}

void SchedulerPlugin::stop() {
  if (scheduler_) scheduler_->stop();
  scheduler_.reset();
}

Health SchedulerPlugin::health() {
  if (!scheduler_) return Health::failing("not started");
  auto stats = scheduler_->stats();
  std::string state = !scheduler_->synced() ? "syncing" : scheduler_->is_leader() ? "leading" : "standing by";
  return Health::ok(state + ", " + std::to_string(stats.scheduled) + " scheduled, " + std::to_string(stats.pending) +
                    " pending");
}

}  // namespace skiff::scheduler
