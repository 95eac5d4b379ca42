// The controller-manager against a real bus, store, apiserver and scheduler, with pods "run"
// by a fake kubelet that only writes their status.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "fake_kubelet.hpp"
#include "plugin_node.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/coordination/v1/lease.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/informer.hpp"
#include "skiff/sdk/selector.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;
namespace apps = api::apps::v1;

std::string plugins(const std::string& controller_config = "") {
  return "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
         "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false, default_toleration_seconds: 1}\n"
         "  - name: scheduler-default\n    config: {leader_elect: false, pod_initial_backoff: 100ms}\n"
         "  - name: controller-manager\n    config:\n      leader_elect: false\n"
         "      node_monitor_grace_period: 1500ms\n      node_monitor_period: 200ms\n      pod_eviction_timeout: 1s\n" +
         controller_config;
}

core::PodTemplateSpec pod_template(const std::string& app, const std::string& image) {
  core::PodTemplateSpec t;
  (*t.mutable_metadata()->mutable_labels())["app"] = app;
  auto* c = t.mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image(image);
  auto* port = c->add_ports();
  port->set_name("http");
  port->set_container_port(8080);
  (*c->mutable_resources()->mutable_requests())["cpu"] = "100m";
  return t;
}

apps::ReplicaSet replica_set(const std::string& name, int replicas, const std::string& image = "busybox:1") {
  apps::ReplicaSet rs;
  rs.mutable_metadata()->set_name(name);
  rs.mutable_metadata()->set_namespace_("default");
  rs.mutable_spec()->set_replicas(replicas);
  (*rs.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = name;
  *rs.mutable_spec()->mutable_template_() = pod_template(name, image);
  return rs;
}

apps::Deployment deployment(const std::string& name, int replicas, const std::string& image, int surge = 1,
                            int unavailable = 1) {
  apps::Deployment d;
  d.mutable_metadata()->set_name(name);
  d.mutable_metadata()->set_namespace_("default");
  d.mutable_spec()->set_replicas(replicas);
  (*d.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = name;
  *d.mutable_spec()->mutable_template_() = pod_template(name, image);
  auto* rolling = d.mutable_spec()->mutable_strategy()->mutable_rolling_update();
  rolling->mutable_max_surge()->set_int_val(surge);
  rolling->mutable_max_unavailable()->set_int_val(unavailable);
  d.mutable_spec()->mutable_strategy()->set_type("RollingUpdate");
  return d;
}

// Get, change, update — again on a conflict, as client-go's RetryOnConflict: the controllers
// write the same objects' status meanwhile.
template <class T>
void change(const sdk::ApiClient& api, const std::string& name, const std::function<void(T&)>& edit) {
  for (int attempt = 0;; ++attempt) {
    T object = api.get<T>("default", name);
    edit(object);
    try {
      api.update(object);
      return;
    } catch (const sdk::Error& e) {
      if (e.status().code != 409 || attempt >= 100) throw;
    }
  }
}

class Controllers : public ::testing::Test {
 protected:
  explicit Controllers(test::FakeKubeletOptions options = {}, const std::string& extra = "")
      : node_(nats_, plugins(extra)), kubelet_options_(options) {}

  void SetUp() override {
    node_.start();
    api_ = std::make_unique<sdk::ApiClient>(node_.bus(), node_.subjects());
    kubelet_ = std::make_unique<test::FakeKubelet>(node_.bus(), node_.subjects(), std::vector<std::string>{"node-a", "node-b"},
                                                   kubelet_options_);
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "skiffd output:\n%s\n", node_.output().c_str());
    kubelet_.reset();
  }

  // Active pods (not finished, not being deleted) with this app label.
  std::vector<core::Pod> active_pods(const std::string& app) {
    std::vector<core::Pod> out;
    for (auto& p : api_->list<core::Pod>("default", "app=" + app))
      if (p.metadata().deletion_timestamp().empty()) out.push_back(std::move(p));
    return out;
  }
  bool running(const std::string& app, std::size_t count, std::chrono::milliseconds timeout = 20s) {
    return test::wait_until([&] {
      auto pods = active_pods(app);
      return pods.size() == count && std::all_of(pods.begin(), pods.end(), [](const auto& p) {
               return p.status().phase() == "Running";
             });
    }, timeout);
  }
  apps::Deployment get_deployment(const std::string& name) { return api_->get<apps::Deployment>("default", name); }
  bool rolled_out(const std::string& name, std::chrono::milliseconds timeout = 30s) {
    return test::wait_until([&] {
      auto d = get_deployment(name);
      const auto& s = d.status();
      int want = d.spec().replicas();
      return s.observed_generation() >= d.metadata().generation() && s.updated_replicas() == want &&
             s.replicas() == want && s.available_replicas() == want;
    }, timeout);
  }
  std::vector<core::Event> events_for(const std::string& name) {
    std::vector<core::Event> out;
    for (auto& e : api_->list<core::Event>("default"))
      if (e.involved_object().name() == name) out.push_back(std::move(e));
    return out;
  }

  test::NatsServer nats_;
  test::PluginNode node_;
  test::FakeKubeletOptions kubelet_options_;
  std::unique_ptr<sdk::ApiClient> api_;
  std::unique_ptr<test::FakeKubelet> kubelet_;
};

TEST_F(Controllers, ReplicaSetScalesUpAndDownAndReportsStatus) {
  api_->create(replica_set("web", 3));
  ASSERT_TRUE(running("web", 3));
  ASSERT_TRUE(test::wait_until([&] {
    auto rs = api_->get<apps::ReplicaSet>("default", "web");
    return rs.status().replicas() == 3 && rs.status().ready_replicas() == 3 && rs.status().available_replicas() == 3 &&
           rs.status().observed_generation() == rs.metadata().generation();
  }, 10s));
  change<apps::ReplicaSet>(*api_, "web", [](auto& rs) { rs.mutable_spec()->set_replicas(5); });
  ASSERT_TRUE(running("web", 5));
  change<apps::ReplicaSet>(*api_, "web", [](auto& rs) { rs.mutable_spec()->set_replicas(1); });
  ASSERT_TRUE(running("web", 1));
  auto events = events_for("web");
  ASSERT_TRUE(test::wait_until([&] {
    events = events_for("web");
    int created = 0, deleted = 0;
    for (const auto& e : events) {
      created += e.reason() == "SuccessfulCreate" ? e.count() : 0;
      deleted += e.reason() == "SuccessfulDelete" ? e.count() : 0;
    }
    return created == 5 && deleted == 4;
  }, 10s));
  for (const auto& e : events) {
    if (e.reason() == "SuccessfulCreate") {
      EXPECT_EQ(e.message().rfind("Created pod: web-", 0), 0u) << e.message();
    }
  }
}

TEST_F(Controllers, ADeletedPodIsReplaced) {
  api_->create(replica_set("heal", 2));
  ASSERT_TRUE(running("heal", 2));
  auto victim = active_pods("heal").front();
  api_->erase<core::Pod>("default", victim.metadata().name());
  ASSERT_TRUE(test::wait_until([&] {
    auto pods = active_pods("heal");
    return pods.size() == 2 && std::none_of(pods.begin(), pods.end(), [&](const auto& p) {
             return p.metadata().name() == victim.metadata().name();
           }) && std::all_of(pods.begin(), pods.end(), [](const auto& p) { return p.status().phase() == "Running"; });
  }, 20s));
}

TEST_F(Controllers, OrphansAreAdoptedAndRelabelledPodsReleased) {
  core::Pod orphan;
  orphan.mutable_metadata()->set_name("stray");
  orphan.mutable_metadata()->set_namespace_("default");
  *orphan.mutable_metadata()->mutable_labels() = pod_template("adopt", "busybox:1").metadata().labels();
  *orphan.mutable_spec() = pod_template("adopt", "busybox:1").spec();
  api_->create(orphan);
  api_->create(replica_set("adopt", 2));
  ASSERT_TRUE(running("adopt", 2));
  auto stray = api_->get<core::Pod>("default", "stray");
  ASSERT_EQ(stray.metadata().owner_references_size(), 1);  // adopted: only one more pod was made
  EXPECT_EQ(stray.metadata().owner_references(0).kind(), "ReplicaSet");

  change<core::Pod>(*api_, "stray", [](auto& pod) { (*pod.mutable_metadata()->mutable_labels())["app"] = "elsewhere"; });
  ASSERT_TRUE(test::wait_until([&] { return api_->get<core::Pod>("default", "stray").metadata().owner_references_size() == 0; },
                               10s));
  ASSERT_TRUE(running("adopt", 2));  // and replaced
}

TEST_F(Controllers, RollingUpdateKeepsWithinSurgeAndUnavailableAtEveryStep) {
  kubelet_.reset();
  test::FakeKubeletOptions slow;
  slow.ready_after = 150ms;  // so that the rollout takes several steps
  kubelet_ = std::make_unique<test::FakeKubelet>(node_.bus(), node_.subjects(), std::vector<std::string>{"node-a", "node-b"},
                                                 slow);
  api_->create(deployment("roll", 4, "app:1", 1, 1));
  ASSERT_TRUE(rolled_out("roll"));

  // Every state of the pods, as a watcher sees them.
  sdk::Informer<core::Pod> pods(node_.bus(), node_.subjects(), sdk::api_source(node_.bus(), node_.subjects()));
  std::mutex mutex;
  int most_active = 0, fewest_ready = 100, states = 0;
  std::atomic<bool> armed{false};  // not while the informer's first list arrives one by one
  auto check = [&] {
    if (!armed) return;
    int active = 0, ready = 0;
    for (const auto& p : pods.list()) {
      if (p->metadata().labels().at("app") != "roll" || !p->metadata().deletion_timestamp().empty()) continue;
      ++active;
      for (const auto& c : p->status().conditions()) ready += c.type() == "Ready" && c.status() == "True";
    }
    std::lock_guard lock(mutex);
    most_active = std::max(most_active, active);
    fewest_ready = std::min(fewest_ready, ready);
    ++states;
  };
  pods.add_handlers([&](const auto&) { check(); }, [&](const auto&, const auto&) { check(); }, [&](const auto&) { check(); });
  pods.start();
  ASSERT_TRUE(pods.wait_for_sync(10s));
  armed = true;

  change<apps::Deployment>(*api_, "roll", [](apps::Deployment& d) { d.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image("app:2"); });
  ASSERT_TRUE(rolled_out("roll"));
  for (const auto& p : active_pods("roll")) EXPECT_EQ(p.spec().containers(0).image(), "app:2");
  pods.stop();
  std::lock_guard lock(mutex);
  EXPECT_GT(states, 8);
  EXPECT_LE(most_active, 5) << "maxSurge 1 over 4 replicas";
  EXPECT_GE(fewest_ready, 3) << "maxUnavailable 1 of 4 replicas";
  auto rs_list = api_->list<apps::ReplicaSet>("default");
  ASSERT_EQ(rs_list.size(), 2u);
  for (const auto& rs : rs_list)
    EXPECT_EQ(rs.spec().replicas(), rs.spec().template_().spec().containers(0).image() == "app:2" ? 4 : 0);
  auto d = get_deployment("roll");
  EXPECT_EQ(d.metadata().annotations().at("deployment.kubernetes.io/revision"), "2");
  bool available = false, complete = false;
  for (const auto& c : d.status().conditions()) {
    available |= c.type() == "Available" && c.status() == "True";
    complete |= c.type() == "Progressing" && c.reason() == "NewReplicaSetAvailable";
  }
  EXPECT_TRUE(available);
  EXPECT_TRUE(complete);
}

TEST_F(Controllers, RecreateStopsEveryOldPodBeforeStartingNewOnes) {
  auto d = deployment("recreate", 3, "app:1");
  d.mutable_spec()->mutable_strategy()->set_type("Recreate");
  d.mutable_spec()->mutable_strategy()->clear_rolling_update();
  api_->create(d);
  ASSERT_TRUE(rolled_out("recreate"));
  sdk::Informer<core::Pod> pods(node_.bus(), node_.subjects(), sdk::api_source(node_.bus(), node_.subjects()));
  std::atomic<bool> overlap{false};
  auto check = [&] {
    std::set<std::string> images;
    for (const auto& p : pods.list())
      if (p->metadata().labels().count("app") && p->metadata().labels().at("app") == "recreate")
        images.insert(p->spec().containers(0).image());
    if (images.size() > 1) overlap = true;
  };
  pods.add_handlers([&](const auto&) { check(); }, [&](const auto&, const auto&) { check(); }, nullptr);
  pods.start();
  ASSERT_TRUE(pods.wait_for_sync(10s));
  change<apps::Deployment>(*api_, "recreate", [](apps::Deployment& d) { d.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image("app:2"); });
  ASSERT_TRUE(rolled_out("recreate"));
  pods.stop();
  EXPECT_FALSE(overlap) << "old and new pods existed at the same time";
}

TEST_F(Controllers, RollbackReusesTheOldReplicaSetAsTheNewestRevision) {
  api_->create(deployment("undo", 2, "app:1"));
  ASSERT_TRUE(rolled_out("undo"));
  change<apps::Deployment>(*api_, "undo", [](apps::Deployment& d) { d.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image("app:2"); });
  ASSERT_TRUE(rolled_out("undo"));
  // What `kubectl rollout undo` does: put revision 1's template back.
  change<apps::Deployment>(*api_, "undo", [](apps::Deployment& d) {
    d.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image("app:1");
  });
  ASSERT_TRUE(rolled_out("undo"));
  auto rs_list = api_->list<apps::ReplicaSet>("default");
  ASSERT_EQ(rs_list.size(), 2u);  // no third ReplicaSet
  for (const auto& rs : rs_list) {
    bool v1 = rs.spec().template_().spec().containers(0).image() == "app:1";
    EXPECT_EQ(rs.metadata().annotations().at("deployment.kubernetes.io/revision"), v1 ? "3" : "2");
    EXPECT_EQ(rs.spec().replicas(), v1 ? 2 : 0);
  }
}

TEST_F(Controllers, APausedDeploymentWaitsForResume) {
  api_->create(deployment("paused", 2, "app:1"));
  ASSERT_TRUE(rolled_out("paused"));
  change<apps::Deployment>(*api_, "paused", [](apps::Deployment& d) {
    d.mutable_spec()->set_paused(true);
    d.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image("app:2");
  });
  ASSERT_TRUE(test::wait_until([&] {
    auto current = get_deployment("paused");
    for (const auto& c : current.status().conditions())
      if (c.type() == "Progressing" && c.reason() == "DeploymentPaused") return true;
    return false;
  }, 10s));
  EXPECT_EQ(api_->list<apps::ReplicaSet>("default").size(), 1u);
  change<apps::Deployment>(*api_, "paused", [](apps::Deployment& d) { d.mutable_spec()->set_paused(false); });
  ASSERT_TRUE(rolled_out("paused"));
  EXPECT_EQ(active_pods("paused").front().spec().containers(0).image(), "app:2");
}

class ControllersWithPodsNeverReady : public Controllers {
 protected:
  ControllersWithPodsNeverReady() : Controllers(never_ready()) {}
  static test::FakeKubeletOptions never_ready() {
    test::FakeKubeletOptions o;
    o.ready = false;
    return o;
  }
};

TEST_F(ControllersWithPodsNeverReady, AStuckRolloutExceedsItsProgressDeadline) {
  auto d = deployment("stuck", 2, "app:1");
  d.mutable_spec()->set_progress_deadline_seconds(2);
  api_->create(d);
  ASSERT_TRUE(test::wait_until([&] {
    auto current = get_deployment("stuck");
    for (const auto& c : current.status().conditions())
      if (c.type() == "Progressing" && c.status() == "False" && c.reason() == "ProgressDeadlineExceeded") return true;
    return false;
  }, 15s));
}

TEST_F(ControllersWithPodsNeverReady, EndpointsFollowReadiness) {
  api_->create(replica_set("svc", 2));
  ASSERT_TRUE(running("svc", 2));
  core::Service service;
  service.mutable_metadata()->set_name("svc");
  service.mutable_metadata()->set_namespace_("default");
  (*service.mutable_spec()->mutable_selector())["app"] = "svc";
  auto* port = service.mutable_spec()->add_ports();
  port->set_name("web");
  port->set_port(80);
  port->mutable_target_port()->set_type(1);
  port->mutable_target_port()->set_str_val("http");  // the container port's name
  api_->create(service);
  auto endpoints = [&] {
    try {
      return api_->get<core::Endpoints>("default", "svc");
    } catch (const sdk::Error&) {
      return core::Endpoints();
    }
  };
  ASSERT_TRUE(test::wait_until([&] {
    auto e = endpoints();
    return e.subsets_size() == 1 && e.subsets(0).not_ready_addresses_size() == 2 && e.subsets(0).addresses_size() == 0;
  }, 10s));
  EXPECT_EQ(endpoints().subsets(0).ports(0).port(), 8080);
  auto pods = active_pods("svc");
  kubelet_->set_ready("default", pods[0].metadata().name(), true);
  ASSERT_TRUE(test::wait_until([&] {
    auto e = endpoints();
    return e.subsets_size() == 1 && e.subsets(0).addresses_size() == 1 && e.subsets(0).not_ready_addresses_size() == 1 &&
           e.subsets(0).addresses(0).ip() == api_->get<core::Pod>("default", pods[0].metadata().name()).status().pod_ip();
  }, 10s));
  api_->erase<core::Service>("default", "svc");
  ASSERT_TRUE(test::wait_until([&] { return endpoints().metadata().name().empty(); }, 10s));
}

TEST_F(Controllers, ALostNodeIsTaintedAndItsPodsReplacedElsewhere) {
  api_->create(replica_set("spread", 4));
  ASSERT_TRUE(running("spread", 4));
  std::map<std::string, int> per_node;
  for (const auto& p : active_pods("spread")) ++per_node[p.spec().node_name()];
  ASSERT_EQ(per_node.size(), 2u) << "the scheduler spreads them";
  kubelet_->stop_heartbeat("node-a");
  ASSERT_TRUE(test::wait_until([&] {
    auto n = api_->get<core::Node>("", "node-a");
    bool unknown = false, tainted = false;
    for (const auto& c : n.status().conditions()) unknown |= c.type() == "Ready" && c.status() == "Unknown";
    for (const auto& t : n.spec().taints()) tainted |= t.key() == "node.kubernetes.io/unreachable" && t.effect() == "NoExecute";
    return unknown && tainted;
  }, 15s));
  // Evicted after the eviction timeout, and replaced on the node that still answers.
  ASSERT_TRUE(test::wait_until([&] {
    auto pods = active_pods("spread");
    return pods.size() == 4 && std::all_of(pods.begin(), pods.end(), [](const auto& p) {
             return p.spec().node_name() == "node-b" && p.status().phase() == "Running";
           });
  }, 20s));
  kubelet_->resume_heartbeat("node-a");
  ASSERT_TRUE(test::wait_until([&] {
    auto n = api_->get<core::Node>("", "node-a");
    return n.spec().taints_size() == 0;
  }, 15s));
}

TEST_F(Controllers, DeletingADeploymentCascades) {
  api_->create(deployment("gone", 2, "app:1"));
  ASSERT_TRUE(rolled_out("gone"));
  api_->erase<apps::Deployment>("default", "gone");
  ASSERT_TRUE(test::wait_until([&] {
    return api_->list<apps::ReplicaSet>("default").empty() && active_pods("gone").empty();
  }, 15s));

  // Foreground: the Deployment stays until its dependents are gone.
  api_->create(deployment("front", 2, "app:1"));
  ASSERT_TRUE(rolled_out("front"));
  sdk::ApiDeleteOptions foreground;
  foreground.propagation_policy = "Foreground";
  auto deleting = api_->erase<apps::Deployment>("default", "front", foreground);
  EXPECT_FALSE(deleting.metadata().deletion_timestamp().empty());
  ASSERT_TRUE(test::wait_until([&] {
    try {
      api_->get<apps::Deployment>("default", "front");
      return false;
    } catch (const sdk::Error& e) {
      return e.status().code == 404;
    }
  }, 15s));
  EXPECT_TRUE(api_->list<apps::ReplicaSet>("default").empty());

  // Orphan: the ReplicaSet stays, without its owner.
  api_->create(deployment("keep", 1, "app:1"));
  ASSERT_TRUE(rolled_out("keep"));
  sdk::ApiDeleteOptions orphan;
  orphan.propagation_policy = "Orphan";
  api_->erase<apps::Deployment>("default", "keep", orphan);
  ASSERT_TRUE(test::wait_until([&] {
    auto list = api_->list<apps::ReplicaSet>("default");
    return list.size() == 1 && list[0].metadata().owner_references_size() == 0;
  }, 15s));
  EXPECT_TRUE(running("keep", 1));
}

}  // namespace

namespace {

// The controller-manager in a skiffd of its own, so it can be restarted or replicated.
class SeparateControllerManager : public ::testing::Test {
 protected:
  void SetUp() override {
    control_.start();
    api_ = std::make_unique<sdk::ApiClient>(control_.bus(), control_.subjects());
    test::FakeKubeletOptions options;
    options.ready_after = 200ms;
    kubelet_ = std::make_unique<test::FakeKubelet>(control_.bus(), control_.subjects(),
                                                   std::vector<std::string>{"node-a", "node-b"}, options);
  }
  void TearDown() override { kubelet_.reset(); }
  static std::string manager(const std::string& config) {
    return "  - name: controller-manager\n    config: {" + config + "}\n";
  }
  apps::Deployment get(const std::string& name) { return api_->get<apps::Deployment>("default", name); }
  bool rolled_out(const std::string& name) {
    return test::wait_until([&] {
      auto d = get(name);
      int want = d.spec().replicas();
      return d.status().observed_generation() >= d.metadata().generation() && d.status().updated_replicas() == want &&
             d.status().replicas() == want && d.status().available_replicas() == want;
    }, 60s);
  }

  test::NatsServer nats_;
  test::PluginNode control_{nats_,
                            "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
                            "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false, default_toleration_seconds: 1}\n"
                            "  - name: scheduler-default\n    config: {leader_elect: false}\n",
                            "control"};
  std::unique_ptr<sdk::ApiClient> api_;
  std::unique_ptr<test::FakeKubelet> kubelet_;
};

TEST_F(SeparateControllerManager, ARestartInTheMiddleOfARolloutResumesIt) {
  test::PluginNode cm(nats_, manager("leader_elect: false"), "cm");
  cm.start();
  api_->create(deployment("mid", 6, "app:1", 1, 0));
  ASSERT_TRUE(rolled_out("mid"));
  change<apps::Deployment>(*api_, "mid", [](apps::Deployment& d) { d.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image("app:2"); });
  // Part way: the new ReplicaSet has some pods, the old one still most.
  ASSERT_TRUE(test::wait_until([&] {
    auto status = get("mid").status();
    return status.updated_replicas() >= 2 && status.updated_replicas() < 6;
  }, 20s));
  cm.restart();
  ASSERT_TRUE(rolled_out("mid"));
  int active = 0;
  for (const auto& p : api_->list<core::Pod>("default", "app=mid"))
    if (p.metadata().deletion_timestamp().empty()) {
      ++active;
      EXPECT_EQ(p.spec().containers(0).image(), "app:2");
    }
  EXPECT_EQ(active, 6);
  EXPECT_EQ(api_->list<apps::ReplicaSet>("default").size(), 2u);
}

TEST_F(SeparateControllerManager, ReplicasElectOneLeaderAndFailOver) {
  std::string config = "lease_duration: 2s, renew_deadline: 1500ms, retry_period: 200ms";
  test::PluginNode a(nats_, manager(config), "cm-a"), b(nats_, manager(config), "cm-b");
  a.start();
  b.start();
  std::string holder;
  ASSERT_TRUE(test::wait_until([&] {
    try {
      holder = api_->get<api::coordination::v1::Lease>("kube-system", "kube-controller-manager").spec().holder_identity();
    } catch (const sdk::Error&) {
    }
    return !holder.empty();
  }, 10s));
  api_->create(replica_set("ha", 2));
  ASSERT_TRUE(test::wait_until([&] { return api_->list<core::Pod>("default", "app=ha").size() == 2; }, 20s));
  (holder == "cm-a_controller-manager" ? a : b).kill();
  change<apps::ReplicaSet>(*api_, "ha", [](auto& rs) { rs.mutable_spec()->set_replicas(4); });
  ASSERT_TRUE(test::wait_until([&] { return api_->list<core::Pod>("default", "app=ha").size() == 4; }, 20s));
  EXPECT_NE(api_->get<api::coordination::v1::Lease>("kube-system", "kube-controller-manager").spec().holder_identity(),
            holder);
}

}  // namespace

namespace {

TEST(ControllerConfig, OnlyTheListedControllersRunAndUnknownNamesAreRefused) {
  test::NatsServer nats;
  test::PluginNode only(nats, plugins("      controllers: [replicaset, endpoint]\n"));
  only.start();
  ASSERT_TRUE(test::wait_until([&] { return only.output().find("controllers running:") != std::string::npos; }, 10s));
  EXPECT_NE(only.output().find("controllers running: replicaset-controller, endpoint-controller\n"), std::string::npos)
      << only.output();
  only.stop();

  test::PluginNode wrong(nats, plugins("      controllers: [replicaset, deploymnet]\n"), "other");
  EXPECT_THROW(wrong.start(), std::exception);
  EXPECT_NE(wrong.output().find("unknown controller 'deploymnet'; the controllers are: replicaset, deployment"),
            std::string::npos)
      << wrong.output();
}

}  // namespace
