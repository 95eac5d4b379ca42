#include "node_agent.hpp"

#include <filesystem>
#include <set>

#include "container_spec.hpp"
#include "stats_service.hpp"

#include <spdlog/logger.h>

#include <google/protobuf/util/message_differencer.h>

#include "skiff/kubelet/v1/kubelet.pb.h"
#include "skiff/sdk/bus_proto.hpp"

namespace skiff::kubelet {

namespace core = api::core::v1;
namespace rt = runtime::v1;
using namespace std::chrono_literals;

NodeAgent::NodeAgent(sdk::Bus& bus, const sdk::Subjects& subjects, PodFeed& feed, const RuntimeClasses& classes,
                     AgentOptions options, const Machine& machine, spdlog::logger& log)
    : bus_(bus),
      subjects_(subjects),
      options_(std::move(options)),
      log_(log),
      api_(bus, subjects),
      runtimes_(bus, subjects, options_.node.name, classes),
      events_(api_, {"kubelet", options_.node.name}, &log),
      registration_(api_, runtimes_.default_runtime(), options_.node, machine, log),
      queue_(sdk::RateLimit{std::chrono::milliseconds(50), std::chrono::milliseconds(30000), 100, 100}) {
  options_.sync.node = options_.node.name;
  options_.sync.host_ip = registration_.host_ip();
  options_.sync.allocatable = registration_.allocatable();
  // Made here, not in start(): the feed's handler (another thread) reads the syncer.
  prober_ = std::make_unique<Prober>([this](const std::string& uid) { queue_.add(uid); });
  syncer_ = std::make_unique<PodSyncer>(api_, runtimes_, *prober_, events_, options_.sync, log_);
  StatsOptions stats_options{options_.node.name, std::filesystem::path(options_.sync.pods_dir).parent_path().string()};
  stats_ = std::make_unique<StatsProvider>(runtimes_, [this] { return known_pods(); }, stats_options);
  feed.subscribe(options_.node.name, [this](const PodFeed::PodPtr& pod, bool deleted) {
    const std::string& uid = pod->metadata().uid();
    PodFeed::PodPtr old;
    {
      std::lock_guard lock(mutex_);
      auto it = by_uid_.find(uid);
      if (it != by_uid_.end()) old = it->second;
      if (deleted) by_uid_.erase(uid);
      else by_uid_[uid] = pod;
    }
    if (!deleted && old && echo_of_own_write(*old, *pod)) return;
    queue_.add(uid);
  });
}

NodeAgent::~NodeAgent() { stop(); }

void NodeAgent::start() {
  registration_.register_node();
  registration_.start();

  queue_.run(options_.workers, [this](const std::string& uid) { return sync(uid); });
  relister_ = std::thread([this] {
    while (!stopping_) {
      try {
        relist();
      } catch (const std::exception& e) {
        log_.debug("relist: {}", e.what());
      }
      std::unique_lock lock(stop_mutex_);
      stop_cv_.wait_for(lock, options_.relist_period, [this] { return stopping_.load(); });
    }
  });
  services_.push_back(bus_.serve(subjects_.kubelet_on(options_.node.name, "logs"), "kubelet",
                                 [this](sdk::Request r) { serve_logs(r); }));
  services_.push_back(bus_.serve(subjects_.kubelet_on(options_.node.name, "exec"), "kubelet",
                                 [this](sdk::Request r) { serve_exec(r); }));
  services_.push_back(bus_.serve(subjects_.kubelet_on(options_.node.name, "port_forward"), "kubelet",
                                 [this](sdk::Request r) { serve_port_forward(r); }));
  services_.push_back(bus_.serve(subjects_.kubelet_on(options_.node.name, "attach"), "kubelet",
                                 [this](sdk::Request r) { serve_attach(r); }));
  for (auto& s : serve_stats(bus_, subjects_, options_.node.name, *stats_)) services_.push_back(std::move(s));
  log_.debug("node {}: pod workers running", options_.node.name);
}

void NodeAgent::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    if (stopping_.exchange(true)) return;
  }
  stop_cv_.notify_all();
  services_.clear();
  if (relister_.joinable()) relister_.join();
  queue_.stop();
  prober_.reset();
  registration_.stop();
}

std::vector<std::shared_ptr<const core::Pod>> NodeAgent::known_pods() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const core::Pod>> out;
  for (const auto& [uid, pod] : by_uid_) out.push_back(pod);
  return out;
}

std::size_t NodeAgent::pods() const {
  std::lock_guard lock(mutex_);
  return by_uid_.size();
}

bool NodeAgent::sync(const std::string& uid) {
  std::shared_ptr<const core::Pod> pod;
  {
    std::lock_guard lock(mutex_);
    auto it = by_uid_.find(uid);
    if (it != by_uid_.end()) pod = it->second;
  }
  try {
    if (!pod) {
      syncer_->remove_leftovers(uid);
      return true;
    }
    auto again = syncer_->sync(*pod);
    if (again.count() > 0) queue_.add_after(uid, again);
    std::string signature = syncer_->runtime_signature(uid);
    std::lock_guard lock(mutex_);
    runtime_signature_[uid] = signature;  // the next relist syncs it only if something changed since
    return true;
  } catch (const sdk::Error& e) {
    log_.warn("pod {}/{}: {}", pod ? pod->metadata().namespace_() : "", pod ? pod->metadata().name() : uid,
              e.status().message);
    return false;
  }
}

// An update that only carries the status this kubelet just wrote: nothing to do.
bool NodeAgent::echo_of_own_write(const core::Pod& old, const core::Pod& pod) const {
  if (!syncer_->wrote(pod.metadata().uid(), pod.status())) return false;
  core::Pod a = old, b = pod;
  for (core::Pod* p : {&a, &b}) {
    p->clear_status();
    p->mutable_metadata()->clear_resource_version();
    p->mutable_metadata()->clear_managed_fields();
    p->mutable_metadata()->clear_generation();
  }
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// The runtime's view every relist period: a pod whose containers changed (one exited, one
// was removed by hand) is synced; containers of pods this node does not have are removed.
void NodeAgent::relist() {
  // A set per pod: one runtime may be listed twice (the default, and by its handler's name).
  std::map<std::string, std::set<std::string>> entries;
  for (const sdk::RuntimeClient* runtime : runtimes_.all()) {
    try {
      for (const auto& c : runtime->list_containers({{kLabelNode, options_.node.name}}))
        if (c.labels().count(kLabelPodUid)) entries[c.labels().at(kLabelPodUid)].insert(c.id() + ":" + c.state());
      for (const auto& s : runtime->list_sandboxes({{kLabelNode, options_.node.name}}))
        if (s.labels().count(kLabelPodUid)) entries[s.labels().at(kLabelPodUid)].insert(s.id() + ":" + s.state());
    } catch (const sdk::Error& e) {
      if (e.status().code != 503 || runtime->handler().empty()) throw;  // a handler not served on this node
    }
  }
  std::map<std::string, std::string> now;
  for (auto& [uid, set] : entries) now[uid] = runtime_signature({set.begin(), set.end()});
  std::vector<std::string> changed;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [uid, signature] : now) {
      auto it = runtime_signature_.find(uid);
      if (it == runtime_signature_.end() || it->second != signature || !by_uid_.count(uid)) changed.push_back(uid);
    }
    for (const auto& [uid, signature] : runtime_signature_)
      if (!now.count(uid) && by_uid_.count(uid)) changed.push_back(uid);  // everything of it vanished
    if (options_.sweep_pod_dirs)
      for (const auto& uid : pod_dirs())
        if (!now.count(uid) && !by_uid_.count(uid)) changed.push_back(uid);  // a directory outliving its pod
    runtime_signature_ = std::move(now);
  }
  for (const auto& uid : changed) queue_.add(uid);
}

std::vector<std::string> NodeAgent::pod_dirs() const {
  std::vector<std::string> uids;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(options_.sync.pods_dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    if (it->is_directory(ec)) uids.push_back(it->path().filename().string());
  return uids;
}

NodeAgent::Resolved NodeAgent::resolve(const std::string& ns, const std::string& pod_name, const std::string& container) {
  Resolved r;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [uid, pod] : by_uid_)
      if (pod->metadata().namespace_() == ns && pod->metadata().name() == pod_name) r.pod = pod;
  }
  if (!r.pod) throw sdk::Error(sdk::Status::NotFound("pods \"" + pod_name + "\" not found on node " + options_.node.name));
  r.container = container;
  if (r.container.empty()) {
    if (r.pod->spec().containers_size() == 1) {
      r.container = r.pod->spec().containers(0).name();
    } else {
      std::string names;
      for (const auto& c : r.pod->spec().containers()) names += (names.empty() ? "" : " ") + c.name();
      throw sdk::Error(sdk::Status::BadRequest("a container name must be specified for pod " + pod_name +
                                               ", choose one of: [" + names + "]"));
    }
  }
  r.runtime = &runtimes_.for_pod(*r.pod);
  for (const auto& c : r.runtime->list_containers({{kLabelPodUid, r.pod->metadata().uid()}, {kLabelContainer, r.container}}))
    r.attempts.push_back(c);
  std::sort(r.attempts.begin(), r.attempts.end(), [](const auto& a, const auto& b) {
    return std::atoi(a.labels().at(kLabelAttempt).c_str()) < std::atoi(b.labels().at(kLabelAttempt).c_str());
  });
  return r;
}

void NodeAgent::serve_logs(const sdk::Request& request) {
  kubelet::v1::PodLogsRequest q;
  if (!q.ParseFromString(request.data())) return request.fail(sdk::Status::BadRequest("not a PodLogsRequest"));
  try {
    auto r = resolve(q.namespace_(), q.pod(), q.container());
    std::size_t index = r.attempts.size();
    if (q.previous()) {
      if (r.attempts.size() < 2)
        throw sdk::Error(sdk::Status::BadRequest("previous terminated container \"" + r.container + "\" in pod \"" +
                                                 q.pod() + "\" not found"));
      index = r.attempts.size() - 1;
    }
    if (index == 0)
      throw sdk::Error(sdk::Status::BadRequest("container \"" + r.container + "\" in pod \"" + q.pod() +
                                               "\" is waiting to start: ContainerCreating"));
    rt::LogsRequest logs;
    logs.set_container_id(r.attempts[index - 1].id());
    logs.set_follow(q.follow());
    logs.set_tail_lines(q.tail_lines());
    logs.set_timestamps(q.timestamps());
    logs.set_since_seconds(q.since_seconds());
    logs.set_stream(q.stream());
    sdk::call<rt::LogsRequest>(bus_, subjects_.runtime_on(options_.node.name, "logs", r.runtime->handler()), logs);
    request.reply(kubelet::v1::StreamStarted().SerializeAsString());
  } catch (const sdk::Error& e) {
    request.fail(e.status());
  }
}

void NodeAgent::serve_exec(const sdk::Request& request) {
  kubelet::v1::PodExecRequest q;
  if (!q.ParseFromString(request.data())) return request.fail(sdk::Status::BadRequest("not a PodExecRequest"));
  try {
    auto r = resolve(q.namespace_(), q.pod(), q.container());
    if (r.attempts.empty() || r.attempts.back().state() != "RUNNING")
      throw sdk::Error(sdk::Status::BadRequest("container " + r.container + " is not running"));
    rt::ExecRequest exec;
    exec.set_container_id(r.attempts.back().id());
    for (const auto& part : q.command()) exec.add_command(part);
    exec.set_stdin(q.stdin());
    exec.set_tty(q.tty());
    exec.set_stream(q.stream());
    sdk::call<rt::ExecRequest>(bus_, subjects_.runtime_on(options_.node.name, "exec", r.runtime->handler()), exec);
    request.reply(kubelet::v1::StreamStarted().SerializeAsString());
  } catch (const sdk::Error& e) {
    request.fail(e.status());
  }
}

void NodeAgent::serve_attach(const sdk::Request& request) {
  kubelet::v1::PodAttachRequest q;
  if (!q.ParseFromString(request.data())) return request.fail(sdk::Status::BadRequest("not a PodAttachRequest"));
  try {
    auto r = resolve(q.namespace_(), q.pod(), q.container());
    if (r.attempts.empty() || r.attempts.back().state() != "RUNNING")
      throw sdk::Error(sdk::Status::BadRequest("container " + r.container + " is not running"));
    rt::AttachRequest attach;
    attach.set_container_id(r.attempts.back().id());
    attach.set_stdin(q.stdin());
    attach.set_tty(q.tty());
    attach.set_stream(q.stream());
    sdk::call<rt::AttachRequest>(bus_, subjects_.runtime_on(options_.node.name, "attach", r.runtime->handler()), attach);
    request.reply(kubelet::v1::StreamStarted().SerializeAsString());
  } catch (const sdk::Error& e) {
    request.fail(e.status());
  }
}

// The pod's ready sandbox holds its network namespace: the runtime connects from there.
void NodeAgent::serve_port_forward(const sdk::Request& request) {
  kubelet::v1::PodPortForwardRequest q;
  if (!q.ParseFromString(request.data())) return request.fail(sdk::Status::BadRequest("not a PodPortForwardRequest"));
  try {
    std::shared_ptr<const api::core::v1::Pod> pod;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [uid, p] : by_uid_)
        if (p->metadata().namespace_() == q.namespace_() && p->metadata().name() == q.pod()) pod = p;
    }
    if (!pod) throw sdk::Error(sdk::Status::NotFound("pods \"" + q.pod() + "\" not found on node " + options_.node.name));
    auto& runtime = runtimes_.for_pod(*pod);
    std::string sandbox_id;
    for (const auto& s : runtime.list_sandboxes({{kLabelPodUid, pod->metadata().uid()}}))
      if (s.state() == "READY") sandbox_id = s.id();
    if (sandbox_id.empty())
      throw sdk::Error(sdk::Status::BadRequest("pod " + q.pod() + " has no running sandbox to forward a port into"));
    rt::PortForwardRequest forward;
    forward.set_sandbox_id(sandbox_id);
    forward.set_port(q.port());
    forward.set_stream(q.stream());
    sdk::call<rt::PortForwardRequest>(bus_, subjects_.runtime_on(options_.node.name, "port_forward", runtime.handler()),
                                      forward);
    request.reply(kubelet::v1::StreamStarted().SerializeAsString());
  } catch (const sdk::Error& e) {
    request.fail(e.status());
  }
}

}  // namespace skiff::kubelet
