// Starts the cluster for the kubelet's unit tests and wires a pod syncer to it.
#include "kubelet_harness.hpp"

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "container_attempts.hpp"
#include "container_spec.hpp"
#include "skiff/sdk/informer.hpp"
#include "wait.hpp"

namespace skiff::test {

namespace core = api::core::v1;
namespace rt = runtime::v1;

namespace {

const char* kPlugins =
    "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
    "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
    "  - name: runtime-sim\n";

}  // namespace

SimCluster* SimClusterSuite::cluster_ = nullptr;

SimCluster::SimCluster() : node_(nats_, kPlugins, kNode) {
  node_.start();
  api_ = std::make_unique<sdk::ApiClient>(node_.bus(), node_.subjects());
  runtime_ = std::make_unique<sdk::RuntimeClient>(node_.bus(), node_.subjects(), kNode, 10s);
  log_ = std::make_shared<spdlog::logger>("kubelet-test", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  log_->set_level(spdlog::level::warn);
}

SimCluster::~SimCluster() = default;

SyncerHarness::SyncerHarness(SimCluster& cluster, kubelet::SyncOptions options) : cluster_(cluster) {
  options.node = kNode;
  options.host_ip = kHostIp;
  options.pods_dir = pods_dir_.path();
  classes_ = std::make_unique<kubelet::RuntimeClasses>(cluster.bus(), cluster.subjects(),
                                                       sdk::api_source(cluster.bus(), cluster.subjects()),
                                                       sdk::InformerOptions{}, &cluster.log());
  classes_->start();
  if (!classes_->wait_for_sync(10s)) throw std::runtime_error("the RuntimeClass informer did not sync");
  runtimes_ = std::make_unique<kubelet::RuntimeSet>(cluster.bus(), cluster.subjects(), kNode, *classes_);
  events_ = std::make_unique<sdk::EventRecorder>(cluster.api(), sdk::EventRecorderOptions{"kubelet", kNode},
                                                 &cluster.log());
  // The node agent queues a sync when a probe result changes; here every test syncs on its own.
  prober_ = std::make_unique<kubelet::Prober>([](const std::string&) {});
  syncer_ = std::make_unique<kubelet::PodSyncer>(cluster.api(), *runtimes_, *prober_, *events_, options, cluster.log());
}

SyncerHarness::~SyncerHarness() {
  for (const auto& name : created_) {
    try {
      syncer_->remove_leftovers(get(name).metadata().uid());
    } catch (const sdk::Error&) {  // deleted by the test already
    }
    try {
      sdk::ApiDeleteOptions now;
      now.grace_period_seconds = 0;
      cluster_.api().erase<core::Pod>("default", name, now);
    } catch (const sdk::Error&) {
    }
  }
  classes_->stop();
}

kubelet::SyncOptions SyncerHarness::quick_options() {
  kubelet::SyncOptions options;
  options.restart_backoff = 100ms;
  options.restart_backoff_max = 400ms;
  options.dns.resolv_conf = "";  // the machine's resolver is none of these tests' business
  return options;
}

core::Pod SyncerHarness::create(core::Pod pod) {
  pod.mutable_metadata()->set_namespace_("default");
  pod.mutable_spec()->set_node_name(kNode);
  created_.push_back(pod.metadata().name());
  return cluster_.api().create(pod);
}

core::Pod SyncerHarness::get(const std::string& name) const { return cluster_.api().get<core::Pod>("default", name); }

std::chrono::milliseconds SyncerHarness::sync(const std::string& name) { return syncer_->sync(get(name)); }

bool SyncerHarness::sync_until(const std::string& name, const std::function<bool(const core::Pod&)>& done,
                               std::chrono::milliseconds timeout, const std::function<void(const core::Pod&)>& after_each) {
  return wait_until([&] {
    core::Pod pod = get(name);
    if (done(pod)) return true;
    syncer_->sync(pod);
    pod = get(name);
    if (after_each) after_each(pod);
    return done(pod);
  }, timeout, 20ms);
}

std::vector<rt::ContainerStatus> SyncerHarness::containers(const core::Pod& pod) const {
  return cluster_.runtime().list_containers({{kubelet::kLabelPodUid, pod.metadata().uid()}}, "", true);
}

std::vector<rt::ContainerStatus> SyncerHarness::attempts(const core::Pod& pod, const std::string& container) const {
  return kubelet::attempts_of(containers(pod), container);
}

int SyncerHarness::exec(const core::Pod& pod, const std::string& container, const std::vector<std::string>& command) const {
  auto all = attempts(pod, container);
  if (all.empty()) throw std::runtime_error("container " + container + " of pod " + pod.metadata().name() + " never ran");
  rt::ExecRequest request;
  request.set_container_id(all.back().id());
  for (const auto& part : command) request.add_command(part);
  return cluster_.runtime().exec(request, [](const rt::Chunk&) { return true; }, "", 10s);
}

std::vector<core::Event> SyncerHarness::events(const std::string& pod, const std::string& reason) const {
  std::vector<core::Event> out;
  for (auto& e : cluster_.api().list<core::Event>("default"))
    if (e.involved_object().name() == pod && e.reason() == reason) out.push_back(std::move(e));
  return out;
}

core::Pod pod_named(const std::string& name) {
  core::Pod pod;
  pod.mutable_metadata()->set_name(name);
  auto* main = pod.mutable_spec()->add_containers();
  main->set_name("main");
  main->set_image("busybox:1.36");
  return pod;
}

void set_env(core::Container& container, const std::string& name, const std::string& value) {
  auto* env = container.add_env();
  env->set_name(name);
  env->set_value(value);
}

core::ExecAction exec_action(const std::vector<std::string>& command) {
  core::ExecAction action;
  for (const auto& part : command) action.add_command(part);
  return action;
}

std::string condition(const core::Pod& pod, const std::string& type) {
  for (const auto& c : pod.status().conditions())
    if (c.type() == type) return c.status();
  return "";
}

}  // namespace skiff::test
