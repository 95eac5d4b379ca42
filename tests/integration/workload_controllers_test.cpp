// The DaemonSet and StatefulSet controllers against a real bus, store, apiserver and
// scheduler, with pods "run" by a fake kubelet that only writes their status.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "fake_kubelet.hpp"
#include "plugin_node.hpp"
#include "skiff/api/apps/v1/workloads.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/policy/v1/policy.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;
namespace apps = api::apps::v1;

const char* kPlugins =
    "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
    "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
    "  - name: scheduler-default\n    config: {leader_elect: false, pod_initial_backoff: 100ms}\n"
    "  - name: controller-manager\n    config: {leader_elect: false, controllers: [daemonset, statefulset, garbagecollector, disruption]}\n";

core::PodTemplateSpec pod_template(const std::string& app, const std::string& image) {
  core::PodTemplateSpec t;
  (*t.mutable_metadata()->mutable_labels())["app"] = app;
  auto* c = t.mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image(image);
  return t;
}

apps::DaemonSet daemon_set(const std::string& name, const std::string& image) {
  apps::DaemonSet ds;
  ds.mutable_metadata()->set_name(name);
  ds.mutable_metadata()->set_namespace_("default");
  (*ds.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = name;
  *ds.mutable_spec()->mutable_template_() = pod_template(name, image);
  return ds;
}

apps::StatefulSet stateful_set(const std::string& name, int replicas, const std::string& image) {
  apps::StatefulSet s;
  s.mutable_metadata()->set_name(name);
  s.mutable_metadata()->set_namespace_("default");
  s.mutable_spec()->set_replicas(replicas);
  s.mutable_spec()->set_service_name(name);
  (*s.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = name;
  *s.mutable_spec()->mutable_template_() = pod_template(name, image);
  return s;
}

template <class T>
void change(const sdk::ApiClient& api, const std::string& ns, const std::string& name, const std::function<void(T&)>& edit) {
  for (int attempt = 0;; ++attempt) {
    T object = api.get<T>(ns, name);
    edit(object);
    try {
      api.update(object);
      return;
    } catch (const sdk::Error& e) {
      if (e.status().code != 409 || attempt >= 100) throw;
    }
  }
}

class WorkloadControllers : public ::testing::Test {
 protected:
  explicit WorkloadControllers(bool ready = true) : node_(nats_, kPlugins) { options_.ready = ready; }

  void SetUp() override {
    node_.start();
    api_ = std::make_unique<sdk::ApiClient>(node_.bus(), node_.subjects());
    kubelet_ = std::make_unique<test::FakeKubelet>(node_.bus(), node_.subjects(),
                                                   std::vector<std::string>{"node-a", "node-b"}, options_);
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "skiffd output:\n%s\n", node_.output().c_str());
    extra_kubelet_.reset();
    kubelet_.reset();
  }

  std::vector<core::Pod> live_pods(const std::string& app) {
    std::vector<core::Pod> out;
    for (auto& p : api_->list<core::Pod>("default", "app=" + app))
      if (p.metadata().deletion_timestamp().empty()) out.push_back(std::move(p));
    return out;
  }
  // node → image of each running pod.
  std::map<std::string, std::string> running_by_node(const std::string& app) {
    std::map<std::string, std::string> out;
    for (const auto& p : live_pods(app))
      if (p.status().phase() == "Running") out[p.spec().node_name()] = p.spec().containers(0).image();
    return out;
  }
  bool has_pod(const std::string& name) {
    try {
      return api_->get<core::Pod>("default", name).metadata().deletion_timestamp().empty();
    } catch (const sdk::Error&) {
      return false;
    }
  }

  test::NatsServer nats_;
  test::PluginNode node_;
  test::FakeKubeletOptions options_;
  std::unique_ptr<sdk::ApiClient> api_;
  std::unique_ptr<test::FakeKubelet> kubelet_;
  std::unique_ptr<test::FakeKubelet> extra_kubelet_;
};

using DaemonSetController = WorkloadControllers;

TEST_F(DaemonSetController, RunsOnePodPerNodeFollowsNewNodesAndTaints) {
  api_->create(daemon_set("agent", "agent:1"));
  ASSERT_TRUE(test::wait_until([&] {
    return running_by_node("agent") == std::map<std::string, std::string>{{"node-a", "agent:1"}, {"node-b", "agent:1"}};
  }, 20s));
  ASSERT_TRUE(test::wait_until([&] {
    auto s = api_->get<apps::DaemonSet>("default", "agent").status();
    return s.desired_number_scheduled() == 2 && s.current_number_scheduled() == 2 && s.number_ready() == 2 &&
           s.updated_number_scheduled() == 2 && s.number_available() == 2 && s.observed_generation() == 1;
  }, 20s));

  extra_kubelet_ = std::make_unique<test::FakeKubelet>(node_.bus(), node_.subjects(), std::vector<std::string>{"node-c"}, options_);
  ASSERT_TRUE(test::wait_until([&] { return running_by_node("agent").count("node-c") == 1; }, 20s)) << "a new node gets its pod";

  change<core::Node>(*api_, "", "node-c", [](core::Node& n) {
    auto* t = n.mutable_spec()->add_taints();
    t->set_key("maintenance");
    t->set_effect("NoExecute");
  });
  ASSERT_TRUE(test::wait_until([&] {
    auto pods = live_pods("agent");
    return pods.size() == 2 && std::none_of(pods.begin(), pods.end(), [](const auto& p) { return p.spec().node_name() == "node-c"; });
  }, 20s)) << "an untolerated NoExecute taint removes the pod";
  EXPECT_TRUE(test::wait_until([&] {
    return api_->get<apps::DaemonSet>("default", "agent").status().desired_number_scheduled() == 2;
  }, 10s));
}

TEST_F(DaemonSetController, NodeSelectorLimitsNodes) {
  change<core::Node>(*api_, "", "node-b", [](core::Node& n) { (*n.mutable_metadata()->mutable_labels())["disk"] = "ssd"; });
  auto ds = daemon_set("ssd", "agent:1");
  (*ds.mutable_spec()->mutable_template_()->mutable_spec()->mutable_node_selector())["disk"] = "ssd";
  api_->create(ds);
  ASSERT_TRUE(test::wait_until([&] { return running_by_node("ssd") == std::map<std::string, std::string>{{"node-b", "agent:1"}}; }, 20s));
  EXPECT_TRUE(test::wait_until([&] {
    return api_->get<apps::DaemonSet>("default", "ssd").status().desired_number_scheduled() == 1;
  }, 10s));
}

TEST_F(DaemonSetController, RollingUpdateReplacesEveryPodAndKeepsHistory) {
  api_->create(daemon_set("agent", "agent:1"));
  ASSERT_TRUE(test::wait_until([&] { return running_by_node("agent").size() == 2; }, 20s));
  change<apps::DaemonSet>(*api_, "default", "agent",
                          [](apps::DaemonSet& ds) { ds.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image("agent:2"); });
  ASSERT_TRUE(test::wait_until([&] {
    return running_by_node("agent") == std::map<std::string, std::string>{{"node-a", "agent:2"}, {"node-b", "agent:2"}} &&
           live_pods("agent").size() == 2;
  }, 30s));
  auto revisions = api_->list<apps::ControllerRevision>("default", "app=agent");
  ASSERT_EQ(revisions.size(), 2u);
  std::sort(revisions.begin(), revisions.end(), [](const auto& a, const auto& b) { return a.revision() < b.revision(); });
  EXPECT_EQ(revisions[1].revision(), 2);
  for (const auto& pod : live_pods("agent"))
    EXPECT_EQ(pod.metadata().labels().at("controller-revision-hash"), revisions[1].metadata().labels().at("controller-revision-hash"));
}

class StatefulSetOrdering : public WorkloadControllers {
 protected:
  StatefulSetOrdering() : WorkloadControllers(false) {}
};

TEST_F(StatefulSetOrdering, CreatesInOrderOnlyOnceEachIsReadyAndScalesDownFromTheTop) {
  api_->create(stateful_set("db", 3, "db:1"));
  ASSERT_TRUE(test::wait_until([&] { return running_by_node("db").size() == 1 && has_pod("db-0"); }, 20s));
  EXPECT_FALSE(has_pod("db-1")) << "db-1 waits for db-0 to be ready";
  kubelet_->set_ready("default", "db-0", true);
  ASSERT_TRUE(test::wait_until([&] { return has_pod("db-1"); }, 20s));
  EXPECT_FALSE(has_pod("db-2"));
  kubelet_->set_ready("default", "db-1", true);
  ASSERT_TRUE(test::wait_until([&] { return has_pod("db-2"); }, 20s));
  kubelet_->set_ready("default", "db-2", true);
  ASSERT_TRUE(test::wait_until([&] { return api_->get<apps::StatefulSet>("default", "db").status().ready_replicas() == 3; }, 20s));

  auto db0 = api_->get<core::Pod>("default", "db-0");
  EXPECT_EQ(db0.spec().hostname(), "db-0");
  EXPECT_EQ(db0.spec().subdomain(), "db");
  EXPECT_EQ(db0.metadata().labels().at("apps.kubernetes.io/pod-index"), "0");

  change<apps::StatefulSet>(*api_, "default", "db", [](apps::StatefulSet& s) { s.mutable_spec()->set_replicas(1); });
  ASSERT_TRUE(test::wait_until([&] { return !has_pod("db-2"); }, 20s));
  ASSERT_TRUE(test::wait_until([&] { return !has_pod("db-1"); }, 20s));
  EXPECT_TRUE(has_pod("db-0"));
}

TEST_F(StatefulSetOrdering, ADisruptionBudgetCountsTheSetsScaleNotItsPods) {
  api_->create(stateful_set("db", 3, "db:1"));
  ASSERT_TRUE(test::wait_until([&] { return has_pod("db-0"); }, 20s));
  api::policy::v1::PodDisruptionBudget pdb;
  pdb.mutable_metadata()->set_name("db");
  pdb.mutable_metadata()->set_namespace_("default");
  (*pdb.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "db";
  pdb.mutable_spec()->mutable_max_unavailable()->set_int_val(1);
  api_->create(pdb);
  // Only db-0 exists (it never turns Ready here); the budget expects the set's 3 replicas.
  ASSERT_TRUE(test::wait_until([&] {
    auto s = api_->get<api::policy::v1::PodDisruptionBudget>("default", "db").status();
    return s.observed_generation() == 1 && s.expected_pods() == 3 && s.desired_healthy() == 2;
  }, 20s)) << api_->get<api::policy::v1::PodDisruptionBudget>("default", "db").status().DebugString();
  EXPECT_FALSE(has_pod("db-1"));
}

using StatefulSetController = WorkloadControllers;

TEST_F(StatefulSetController, ClaimsAreMadePerOrdinalAndOutliveThePod) {
  auto s = stateful_set("data", 2, "db:1");
  s.mutable_spec()->set_pod_management_policy("Parallel");
  auto* claim = s.mutable_spec()->add_volume_claim_templates();
  claim->mutable_metadata()->set_name("vol");
  claim->mutable_spec()->add_access_modes("ReadWriteOnce");
  (*claim->mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "1Gi";
  api_->create(s);
  ASSERT_TRUE(test::wait_until([&] { return has_pod("data-0") && has_pod("data-1"); }, 20s));
  auto first = api_->get<core::PersistentVolumeClaim>("default", "vol-data-0");
  EXPECT_NO_THROW(api_->get<core::PersistentVolumeClaim>("default", "vol-data-1"));
  auto pod = api_->get<core::Pod>("default", "data-0");
  const core::Volume* claimed = nullptr;  // beside the service account's kube-api-access volume
  for (const auto& v : pod.spec().volumes())
    if (v.name() == "vol") claimed = &v;
  ASSERT_NE(claimed, nullptr) << pod.spec().DebugString();
  EXPECT_EQ(claimed->persistent_volume_claim().claim_name(), "vol-data-0");

  api_->erase<core::Pod>("default", "data-0");
  ASSERT_TRUE(test::wait_until([&] {
    try {
      return api_->get<core::Pod>("default", "data-0").metadata().uid() != pod.metadata().uid();
    } catch (const sdk::Error&) {
      return false;
    }
  }, 20s)) << "the pod is made again under its name";
  EXPECT_EQ(api_->get<core::PersistentVolumeClaim>("default", "vol-data-0").metadata().uid(), first.metadata().uid());
}

TEST_F(StatefulSetController, RollingUpdateHonoursThePartitionThenCompletes) {
  api_->create(stateful_set("web", 3, "web:1"));
  ASSERT_TRUE(test::wait_until([&] { return api_->get<apps::StatefulSet>("default", "web").status().ready_replicas() == 3; }, 30s));
  change<apps::StatefulSet>(*api_, "default", "web", [](apps::StatefulSet& s) {
    s.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image("web:2");
    s.mutable_spec()->mutable_update_strategy()->mutable_rolling_update()->set_partition(1);
  });
  auto image_of = [&](const std::string& name) {
    try {
      auto pod = api_->get<core::Pod>("default", name);
      return pod.status().phase() == "Running" && pod.metadata().deletion_timestamp().empty() ? pod.spec().containers(0).image()
                                                                                                : std::string();
    } catch (const sdk::Error&) {
      return std::string();
    }
  };
  ASSERT_TRUE(test::wait_until([&] {
    auto s = api_->get<apps::StatefulSet>("default", "web").status();
    return image_of("web-2") == "web:2" && image_of("web-1") == "web:2" && s.updated_replicas() == 2 && s.ready_replicas() == 3;
  }, 30s));
  EXPECT_EQ(image_of("web-0"), "web:1");
  auto status = api_->get<apps::StatefulSet>("default", "web").status();
  EXPECT_NE(status.current_revision(), status.update_revision());

  change<apps::StatefulSet>(*api_, "default", "web",
                            [](apps::StatefulSet& s) { s.mutable_spec()->mutable_update_strategy()->mutable_rolling_update()->set_partition(0); });
  ASSERT_TRUE(test::wait_until([&] {
    auto s = api_->get<apps::StatefulSet>("default", "web").status();
    return image_of("web-0") == "web:2" && s.current_revision() == s.update_revision() && s.updated_replicas() == 3;
  }, 30s));
}

}  // namespace
