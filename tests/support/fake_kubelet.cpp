#include "fake_kubelet.hpp"

#include "skiff/api/coordination/v1/lease.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/sdk/time.hpp"

namespace skiff::test {

namespace core = api::core::v1;
using namespace std::chrono_literals;

FakeKubelet::FakeKubelet(sdk::Bus& bus, const sdk::Subjects& subjects, std::vector<std::string> nodes,
                         FakeKubeletOptions options)
    : bus_(bus),
      subjects_(subjects),
      options_(options),
      nodes_(nodes.begin(), nodes.end()),
      api_(bus, subjects),
      pods_(bus, subjects, sdk::api_source(bus, subjects)),
      queue_(sdk::RateLimit{std::chrono::milliseconds(5), std::chrono::milliseconds(1000), 1000, 1000}) {
  for (const auto& n : nodes) register_node(n);
  pods_.add_index("node", sdk::index_by_field("spec.nodeName"));
  auto mine = [this](const std::shared_ptr<const core::Pod>& pod) { return nodes_.count(pod->spec().node_name()) > 0; };
  pods_.add_handlers([this, mine](const auto& p) { if (mine(p)) queue_.add(p->metadata().namespace_() + "/" + p->metadata().name()); },
                     [this, mine](const auto&, const auto& p) {
                       if (mine(p)) queue_.add(p->metadata().namespace_() + "/" + p->metadata().name());
                     },
                     nullptr);
  pods_.start();
  pods_.wait_for_sync(30s);
  queue_.run(options_.workers, [this](const std::string& key) { return sync_pod(key); });
  heartbeat_ = std::thread([this] { heartbeat_loop(); });
}

FakeKubelet::~FakeKubelet() {
  stopping_ = true;
  if (heartbeat_.joinable()) heartbeat_.join();
  queue_.stop();
  pods_.stop();
}

void FakeKubelet::register_node(const std::string& name) {
  core::Node node;
  node.mutable_metadata()->set_name(name);
  (*node.mutable_metadata()->mutable_labels())["kubernetes.io/hostname"] = name;
  for (auto* r : {node.mutable_status()->mutable_capacity(), node.mutable_status()->mutable_allocatable()}) {
    (*r)["cpu"] = options_.cpu;
    (*r)["memory"] = options_.memory;
    (*r)["pods"] = options_.pods;
  }
  auto* ready = node.mutable_status()->add_conditions();
  ready->set_type("Ready");
  ready->set_status("True");
  ready->set_reason("KubeletReady");
  ready->set_message("fake kubelet is posting ready status");
  ready->set_last_heartbeat_time(sdk::now_rfc3339());
  ready->set_last_transition_time(sdk::now_rfc3339());
  auto* address = node.mutable_status()->add_addresses();
  address->set_type("InternalIP");
  address->set_address("127.0.0.1");
  try {
    api_.create(node);
  } catch (const sdk::Error& e) {
    if (e.status().code != 409) throw;
  }
}

void FakeKubelet::heartbeat_loop() {
  namespace coordination = api::coordination::v1;
  while (!stopping_) {
    for (const auto& node : nodes_) {
      {
        std::lock_guard lock(mutex_);
        if (silent_.count(node)) continue;
      }
      try {
        coordination::Lease lease;
        try {
          lease = api_.get<coordination::Lease>("kube-node-lease", node);
        } catch (const sdk::Error& e) {
          if (e.status().code != 404) throw;
          lease.mutable_metadata()->set_name(node);
          lease.mutable_metadata()->set_namespace_("kube-node-lease");
          lease.mutable_spec()->set_holder_identity(node);
          lease.mutable_spec()->set_lease_duration_seconds(40);
          lease.mutable_spec()->set_renew_time(sdk::format_rfc3339_micro(sdk::WallClock::now()));
          api_.create(lease);
          continue;
        }
        lease.mutable_spec()->set_renew_time(sdk::format_rfc3339_micro(sdk::WallClock::now()));
        api_.update(lease);
      } catch (const sdk::Error&) {
        // the next round tries again
      }
    }
    auto until = std::chrono::steady_clock::now() + options_.heartbeat;
    while (!stopping_ && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
  }
}

void FakeKubelet::stop_heartbeat(const std::string& node) {
  std::lock_guard lock(mutex_);
  silent_.insert(node);
}

void FakeKubelet::resume_heartbeat(const std::string& node) {
  {
    std::lock_guard lock(mutex_);
    silent_.erase(node);
  }
  auto current = api_.get<core::Node>("", node);
  for (auto& c : *current.mutable_status()->mutable_conditions())
    if (c.type() == "Ready") {
      c.set_status("True");
      c.set_reason("KubeletReady");
      c.set_message("fake kubelet is posting ready status");
      c.set_last_heartbeat_time(sdk::now_rfc3339());
      c.set_last_transition_time(sdk::now_rfc3339());
    }
  api_.update(current, "status");
}

void FakeKubelet::set_ready(const std::string& ns, const std::string& pod, bool ready) {
  {
    std::lock_guard lock(mutex_);
    ready_override_[ns + "/" + pod] = ready;
  }
  queue_.add(ns + "/" + pod);
}

bool FakeKubelet::wants_ready(const core::Pod& pod) {
  std::lock_guard lock(mutex_);
  auto it = ready_override_.find(pod.metadata().namespace_() + "/" + pod.metadata().name());
  return it == ready_override_.end() ? options_.ready : it->second;
}

std::size_t FakeKubelet::running() const {
  std::size_t count = 0;
  for (const auto& node : nodes_)
    for (const auto& pod : pods_.by_index("node", node)) count += pod->status().phase() == "Running";
  return count;
}

bool FakeKubelet::sync_pod(const std::string& key) {
  auto slash = key.find('/');
  auto pod = pods_.get(key.substr(0, slash), key.substr(slash + 1));
  if (!pod || !nodes_.count(pod->spec().node_name())) return true;
  {
    std::lock_guard lock(mutex_);
    if (silent_.count(pod->spec().node_name())) return true;  // a lost node does nothing
  }
  try {
    if (!pod->metadata().deletion_timestamp().empty()) {
      // "Stopped the containers": the deletion can complete.
      sdk::ApiDeleteOptions now;
      now.grace_period_seconds = 0;
      now.precondition_uid = pod->metadata().uid();
      api_.erase<core::Pod>(pod->metadata().namespace_(), pod->metadata().name(), now);
      return true;
    }
    core::Pod next = *pod;
    auto* status = next.mutable_status();
    std::string now = sdk::now_rfc3339();
    if (status->phase() != "Running") {
      status->set_phase("Running");
      status->set_start_time(now);
      status->set_host_ip("127.0.0.1");
      std::string ip;
      {
        std::lock_guard lock(mutex_);
        auto& known = ips_[pod->metadata().uid()];
        if (known.empty()) {
          ++next_ip_;
          known = "10.244." + std::to_string(next_ip_ / 250) + "." + std::to_string(next_ip_ % 250 + 1);
        }
        ip = known;
      }
      status->set_pod_ip(ip);
      status->add_pod_ips()->set_ip(ip);
      status->clear_container_statuses();
      for (const auto& c : pod->spec().containers()) {
        auto* cs = status->add_container_statuses();
        cs->set_name(c.name());
        cs->set_image(c.image());
        cs->set_started(true);
        cs->mutable_state()->mutable_running()->set_started_at(now);
      }
    }
    bool ready = wants_ready(*pod);
    std::chrono::steady_clock::time_point started;
    {
      std::lock_guard lock(mutex_);
      auto [it, fresh] = started_.try_emplace(pod->metadata().uid(), std::chrono::steady_clock::now());
      started = it->second;
    }
    auto ready_at = started + options_.ready_after;
    if (ready && std::chrono::steady_clock::now() < ready_at) {
      queue_.add_after(key, std::chrono::duration_cast<std::chrono::milliseconds>(ready_at - std::chrono::steady_clock::now()) +
                                1ms);
      ready = false;
    }
    bool changed = next.status().phase() != pod->status().phase();
    for (const char* type : {"Initialized", "ContainersReady", "Ready"}) {
      std::string want = std::string(type) == "Initialized" || ready ? "True" : "False";
      core::PodCondition* found = nullptr;
      for (auto& c : *status->mutable_conditions())
        if (c.type() == type) found = &c;
      if (!found) {
        found = status->add_conditions();
        found->set_type(type);
      }
      if (found->status() != want) {
        found->set_status(want);
        found->set_last_transition_time(now);
        changed = true;
      }
    }
    for (auto& cs : *status->mutable_container_statuses()) cs.set_ready(ready);
    if (changed) statuses_.update(next);
  } catch (const sdk::Error& e) {
    if (e.status().code == 404) return true;
    return false;  // 409: the informer brings the newer version; try again
  }
  return true;
}

}  // namespace skiff::test
