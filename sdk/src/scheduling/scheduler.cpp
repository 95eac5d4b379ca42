#include "skiff/sdk/scheduling/scheduler.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <spdlog/logger.h>
#include <thread>

#include "node_search.hpp"
#include "scheduler_cache.hpp"
#include "snapshot.hpp"
#include "worker_pool.hpp"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/event_recorder.hpp"
#include "skiff/sdk/informer.hpp"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::sdk::scheduling {

namespace core = api::core::v1;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kMinFeasibleNodes = 100;
constexpr const char* kDefaultSchedulerName = "default-scheduler";

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool terminal(const core::Pod& pod) {
  const auto& phase = pod.status().phase();
  return phase == "Succeeded" || phase == "Failed";
}

std::string key_of(const core::Pod& pod) { return pod.metadata().namespace_() + "/" + pod.metadata().name(); }

// A few threads running queued tasks (bindings, status patches) off the scheduling loop.
class TaskPool {
 public:
  explicit TaskPool(int threads) {
    for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { run(); });
  }
  ~TaskPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// Bindings wait here until a worker sends them, as many as have gathered, in one request: under
// a burst each round trip carries hundreds; when idle, one.
template <class Item>
class Batcher {
 public:
  Batcher(int workers, std::size_t max_batch, std::function<void(std::vector<Item>&)> send)
      : max_batch_(max_batch), send_(std::move(send)) {
    for (int i = 0; i < std::max(1, workers); ++i) threads_.emplace_back([this] { run(); });
  }
  ~Batcher() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void add(Item item) {
    {
      std::lock_guard lock(mutex_);
      items_.push_back(std::move(item));
    }
    wake_.notify_one();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [&] { return stopping_ || !items_.empty(); });
      if (items_.empty()) return;
      std::vector<Item> batch;
      while (!items_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(items_.front()));
        items_.pop_front();
      }
      lock.unlock();
      send_(batch);
      lock.lock();
    }
  }
  std::size_t max_batch_;
  std::function<void(std::vector<Item>&)> send_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> items_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

struct PendingBinding {
  QueuedPod queued;
  PodInfoPtr info;
  std::string node;
};

constexpr std::size_t kMaxBindBatch = 500;

// The scheduler never reads managedFields: they go as objects are decoded.
InformerOptions without_managed_fields() {
  InformerOptions options;
  options.transform = strip_managed_fields;
  return options;
}

}  // namespace

struct Scheduler::Impl {
  Impl(Bus& bus, const Subjects& subjects, SchedulerOptions opts, spdlog::logger* logger)
      : options(std::move(opts)),
        log(logger),
        api(bus, subjects),
        nodes(bus, subjects, api_source(bus, subjects), without_managed_fields(), logger),
        pods(bus, subjects, api_source(bus, subjects), without_managed_fields(), logger),
        queue(options.queue),
        events(api, {options.scheduler_name, options.host}, logger) {
    for (const auto& name : options.filters.value_or(filter_names())) {
      auto f = make_filter(name);
      if (!f) throw Error(Status::BadRequest("unknown filter '" + name + "'; the built-in filters are: " + join(filter_names())));
      filters.push_back(std::move(f));
    }
    for (const auto& [name, weight] : options.scorers.value_or(default_scorers())) {
      auto s = make_scorer(name);
      if (!s) throw Error(Status::BadRequest("unknown scorer '" + name + "'; the built-in scorers are: " + join(scorer_names())));
      add_scorer(std::move(s), weight);
    }
    if (options.metrics) {
      Labels labels{{"scheduler", options.scheduler_name}};
      scheduled_total = &options.metrics->counter("skiff_scheduler_scheduled_total", "pods bound to a node", labels);
      unschedulable_total = &options.metrics->counter("skiff_scheduler_unschedulable_total",
                                                      "scheduling attempts that found no node", labels);
      bind_errors_total = &options.metrics->counter("skiff_scheduler_bind_errors_total", "bindings that failed", labels);
      pending_gauge = &options.metrics->gauge("skiff_scheduler_pending_pods", "pods waiting for a node", labels);
      nodes_gauge = &options.metrics->gauge("skiff_scheduler_nodes", "nodes in the scheduler's cache", labels);
      deciding_seconds = &options.metrics->counter("skiff_scheduler_deciding_seconds_total",
                                                   "time the scheduling cycles spent deciding (snapshot, filters, scorers)", labels);
    }
  }

  void add_scorer(std::unique_ptr<Scorer> scorer, int weight) {
    if (weight < 1)
      throw Error(Status::BadRequest("scorer '" + std::string(scorer->name()) + "' needs a weight of at least 1"));
    scorers.emplace_back(std::move(scorer), weight);
  }

  bool responsible_for(const core::Pod& pod) const {
    const std::string& wanted = pod.spec().scheduler_name().empty() ? kDefaultSchedulerName : pod.spec().scheduler_name();
    return wanted == options.scheduler_name;
  }

  void on_pod(const std::shared_ptr<const core::Pod>& pod) {
    std::string key = key_of(*pod);
    if (!pod->spec().node_name().empty()) {
      queue.remove(key);
      if (terminal(*pod)) {
        if (cache.remove_pod(key)) queue.cluster_changed();  // its resources are free again
      } else {
        cache.add_bound_pod(pod);
      }
      return;
    }
    if (terminal(*pod) || !pod->metadata().deletion_timestamp().empty() || !responsible_for(*pod)) {
      queue.remove(key);
      return;
    }
    if (cache.is_assumed(key)) return;  // placed, binding under way
    queue.add_or_update(pod);
  }

  void on_pod_deleted(const std::shared_ptr<const core::Pod>& pod) {
    std::string key = key_of(*pod);
    queue.remove(key);
    if (cache.remove_pod(key)) queue.cluster_changed();
  }

  void on_node(const std::shared_ptr<const core::Node>& node) {
    if (log) log->debug("node {} (resourceVersion {})", node->metadata().name(), node->metadata().resource_version());
    cache.set_node(node);
    if (nodes_gauge) nodes_gauge->set(static_cast<double>(cache.node_count()));
    queue.cluster_changed();
  }

  std::size_t feasible_nodes_to_find(std::size_t all) const {
    if (all < kMinFeasibleNodes) return all;
    std::size_t percentage = options.percentage_of_nodes_to_score > 0
                                 ? static_cast<std::size_t>(options.percentage_of_nodes_to_score)
                                 : static_cast<std::size_t>(std::max<std::int64_t>(5, 50 - static_cast<std::int64_t>(all) / 125));
    if (percentage >= 100) return all;
    return std::max(kMinFeasibleNodes, all * percentage / 100);
  }

  struct Decision {
    std::string node;     // empty: fits nowhere
    std::string message;  // why not
  };

  bool filters_parallel_safe() const {
    return std::all_of(filters.begin(), filters.end(), [](const auto& f) { return f->parallel_safe(); });
  }

  // One scheduling cycle on the snapshot (no lock held); assumes the pod on the chosen node.
  Decision decide(const PodInfoPtr& pod) {
    cache.update_snapshot(snapshot);
    const auto& all = snapshot.nodes();
    if (all.empty()) return {"", unschedulable_message(0, {})};
    ClusterView view{all};
    for (auto& f : filters) f->prepare(*pod, view);
    FitCheck fits = [&](const NodeInfo& node, std::vector<std::string>& reasons) {
      for (const auto& f : filters) {
        f->filter(*pod, node, reasons);
        if (!reasons.empty()) return false;
      }
      return true;
    };
    std::size_t start = next_start % all.size();
    auto found = find_feasible(all, start, feasible_nodes_to_find(all.size()), fits,
                               filters_parallel_safe() ? workers.get() : nullptr);
    next_start = (start + found.visited) % all.size();
    const auto& feasible = found.nodes;
    if (feasible.empty()) {
      // Every node said no: ask each again for its reasons (kept off the common path).
      std::vector<std::vector<std::string>> failures(all.size());
      for (std::size_t i = 0; i < all.size(); ++i) fits(*all[i], failures[i]);
      return {"", unschedulable_message(all.size(), failures)};
    }

    const NodeInfo* chosen = feasible.front();
    if (feasible.size() > 1 && !scorers.empty()) {
      auto total = total_scores(*pod, feasible, scorers, workers.get());
      // The best score; among equals, one at random (one draw: with equal nodes, as in this
      // benchmark's cluster, hundreds tie), so that equal nodes share the load.
      std::int64_t best = *std::max_element(total.begin(), total.end());
      std::size_t ties = static_cast<std::size_t>(std::count(total.begin(), total.end(), best));
      std::size_t pick = std::uniform_int_distribution<std::size_t>(0, ties - 1)(rng);
      for (std::size_t i = 0; i < feasible.size(); ++i)
        if (total[i] == best && pick-- == 0) {
          chosen = feasible[i];
          break;
        }
    }
    std::string node = chosen->name();
    cache.assume(pod, node);
    return {node, ""};
  }

  // PreBind of every filter; the status of the first that failed.
  Status pre_bind(const PendingBinding& p) {
    try {
      for (auto& f : filters) f->pre_bind(*p.info, p.node);
    } catch (const Error& e) {
      return e.status();
    } catch (const std::exception& e) {
      return Status::Internal(e.what());
    }
    return Status{};
  }

  void bind(std::vector<PendingBinding>& batch) {
    std::vector<ApiClient::Binding> bindings;
    std::vector<Status> results(batch.size());
    std::vector<std::size_t> sent;  // which of the batch go to the API (PreBind passed)
    for (std::size_t i = 0; i < batch.size(); ++i) {
      results[i] = pre_bind(batch[i]);
      if (!results[i].ok()) continue;
      const auto& meta = batch[i].info->pod->metadata();
      bindings.push_back({meta.namespace_(), meta.name(), batch[i].node, meta.uid()});
      sent.push_back(i);
    }
    try {
      auto answers = bindings.empty() ? std::vector<Status>{} : api.bind_many(bindings);
      for (std::size_t j = 0; j < sent.size(); ++j) results[sent[j]] = answers[j];
    } catch (const Error& e) {
      for (auto i : sent) results[i] = e.status();  // the request itself failed: every binding did
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto& p = batch[i];
      const auto& pod = *p.info->pod;
      if (results[i].ok()) {
        ++scheduled;
        if (scheduled_total) scheduled_total->inc();
        events.record(pod, "Normal", "Scheduled",
                      "Successfully assigned " + pod.metadata().namespace_() + "/" + pod.metadata().name() + " to " + p.node);
        continue;
      }
      cache.forget(p.info->key);
      ++bind_errors;
      if (bind_errors_total) bind_errors_total->inc();
      if (log) log->debug("binding {} to {}: {}", p.info->key, p.node, results[i].message);
      if (results[i].code == 404) continue;  // the pod is gone
      // 409: it changed or was bound elsewhere (the informer will tell); else try again later.
      queue.retry(std::move(p.queued));
    }
  }

  void report_unschedulable(const core::Pod& pod, const std::string& message) {
    events.record(pod, "Warning", "FailedScheduling", message);
    for (const auto& c : pod.status().conditions())
      if (c.type() == "PodScheduled" && c.status() == "False" && c.message() == message) return;  // already says so
    boost::json::object condition{{"type", "PodScheduled"},        {"status", "False"},
                                  {"reason", "Unschedulable"},     {"message", message},
                                  {"lastProbeTime", nullptr},      {"lastTransitionTime", now_rfc3339()}};
    boost::json::object patch{{"status", {{"conditions", boost::json::array{condition}}}}};
    std::string ns = pod.metadata().namespace_(), name = pod.metadata().name();
    tasks->post([this, ns, name, text = boost::json::serialize(patch)] {
      try {
        api.patch<core::Pod>(ns, name, "strategic", text, "status");
      } catch (const Error& e) {
        if (log && e.status().code != 404) log->warn("pod {}/{}: cannot set PodScheduled: {}", ns, name, e.status().message);
      }
    });
  }

  void loop() {
    while (!stopping) {
      {
        std::unique_lock lock(mutex);
        // The informers do not say when they sync: look again every 100 ms until they have.
        while (!stopping && !(leading && nodes.has_synced() && pods.has_synced())) wake.wait_for(lock, 100ms);
        if (stopping) return;
      }
      if (pending_gauge) pending_gauge->set(static_cast<double>(queue.pending_size()));
      auto next = queue.pop(200ms);
      if (!next) continue;
      QueuedPod queued = std::move(*next);
      if (cache.is_assumed(queued.key)) {
        queue.done(queued.key);
        continue;
      }
      auto info = std::make_shared<const PodInfo>(queued.pod);
      Decision decision;
      auto decide_start = std::chrono::steady_clock::now();
      try {
        decision = decide(info);
        if (deciding_seconds)
          deciding_seconds->inc(std::chrono::duration<double>(std::chrono::steady_clock::now() - decide_start).count());
      } catch (const std::exception& e) {
        // A stage threw (a third party's, say): this pod waits its back-off, the others go on.
        if (log) log->error("pod {}: a scheduling stage failed: {}", queued.key, e.what());
        queue.retry(std::move(queued));
        continue;
      }
      if (log) log->debug("pod {} (attempt {}): {}", queued.key, queued.attempts,
                          decision.node.empty() ? decision.message : "to " + decision.node);
      if (decision.node.empty()) {
        ++unschedulable;
        if (unschedulable_total) unschedulable_total->inc();
        report_unschedulable(*queued.pod, decision.message);
        queue.unschedulable(std::move(queued));
        continue;
      }
      queue.done(queued.key);
      binder->add({std::move(queued), info, decision.node});
    }
  }

  void set_leading(bool value) {
    {
      std::lock_guard lock(mutex);
      leading = value;
    }
    wake.notify_all();
  }

  SchedulerOptions options;
  spdlog::logger* log;
  ApiClient api;
  Informer<core::Node> nodes;
  Informer<core::Pod> pods;
  SchedulingQueue queue;
  SchedulerCache cache;
  Snapshot snapshot;                     // the scheduling thread's alone
  std::unique_ptr<WorkerPool> workers;   // filter and score threads
  EventRecorder events;
  std::vector<std::unique_ptr<Filter>> filters;
  std::vector<std::pair<std::unique_ptr<Scorer>, int>> scorers;
  std::unique_ptr<LeaderElector> elector;
  std::unique_ptr<TaskPool> tasks;  // status patches
  std::unique_ptr<Batcher<PendingBinding>> binder;
  std::size_t next_start = 0;
  std::mt19937_64 rng{std::random_device{}()};
  std::atomic<std::uint64_t> scheduled{0}, unschedulable{0}, bind_errors{0};
  Counter* scheduled_total = nullptr;
  Counter* unschedulable_total = nullptr;
  Counter* bind_errors_total = nullptr;
  Gauge* pending_gauge = nullptr;
  Gauge* nodes_gauge = nullptr;
  Counter* deciding_seconds = nullptr;
  std::mutex mutex;
  std::condition_variable wake;
  bool leading = false;
  std::atomic<bool> stopping{false};
  std::thread thread;
};

Scheduler::Scheduler(Bus& bus, const Subjects& subjects, SchedulerOptions options, spdlog::logger* log)
    : impl_(std::make_unique<Impl>(bus, subjects, std::move(options), log)) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::add_filter(std::unique_ptr<Filter> filter) { impl_->filters.push_back(std::move(filter)); }
void Scheduler::add_scorer(std::unique_ptr<Scorer> scorer, int weight) { impl_->add_scorer(std::move(scorer), weight); }

void Scheduler::start() {
  Impl& s = *impl_;
  s.tasks = std::make_unique<TaskPool>(2);
  int parallelism = s.options.parallelism > 0 ? s.options.parallelism : static_cast<int>(std::thread::hardware_concurrency());
  s.workers = std::make_unique<WorkerPool>(std::max(1, parallelism));
  s.binder = std::make_unique<Batcher<PendingBinding>>(s.options.bind_workers, kMaxBindBatch,
                                                       [&s](std::vector<PendingBinding>& batch) { s.bind(batch); });
  s.pods.add_handlers([&s](const auto& pod) { s.on_pod(pod); }, [&s](const auto&, const auto& pod) { s.on_pod(pod); },
                      [&s](const auto& pod) { s.on_pod_deleted(pod); });
  s.nodes.add_handlers([&s](const auto& node) { s.on_node(node); }, [&s](const auto&, const auto& node) { s.on_node(node); },
                       [&s](const auto& node) {
                         s.cache.remove_node(node->metadata().name());
                         s.queue.cluster_changed();
                       });
  s.nodes.start();
  s.pods.start();
  s.thread = std::thread([&s] { s.loop(); });
  if (s.options.leader_elect) {
    LeaderElectionOptions election = s.options.leader_election;
    if (election.name.empty()) election.name = s.options.scheduler_name;
    if (election.identity.empty()) election.identity = s.options.host + "_" + std::to_string(::getpid());
    s.elector = std::make_unique<LeaderElector>(
        s.api, election, [&s] { s.set_leading(true); }, [&s] { s.set_leading(false); }, s.log);
    s.elector->start();
  } else {
    s.set_leading(true);
  }
}

void Scheduler::stop() {
  Impl& s = *impl_;
  if (s.stopping.exchange(true)) return;
  s.queue.close();
  s.wake.notify_all();
  if (s.thread.joinable()) s.thread.join();
  if (s.elector) s.elector->stop();
  s.binder.reset();  // sends the bindings already decided
  s.workers.reset();
  s.tasks.reset();
  s.pods.stop();
  s.nodes.stop();
}

void Scheduler::cluster_changed() { impl_->queue.cluster_changed(); }

bool Scheduler::is_leader() const { return impl_->elector ? impl_->elector->is_leader() : true; }

bool Scheduler::synced() const { return impl_->nodes.has_synced() && impl_->pods.has_synced(); }

Scheduler::Stats Scheduler::stats() const {
  return {impl_->scheduled, impl_->unschedulable, impl_->bind_errors, impl_->queue.pending_size()};
}

}  // namespace skiff::sdk::scheduling
