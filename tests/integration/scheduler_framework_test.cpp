// sdk::scheduling::Scheduler used directly, as a third party would, against a real store and
// apiserver: what unset and empty stage lists mean, stages of one's own, weights, and a stage
// that throws.
#include <gtest/gtest.h>

#include <stdexcept>

#include "plugin_node.hpp"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/scheduling/scheduler.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace skiff::sdk::scheduling;
using namespace std::chrono_literals;
namespace core = api::core::v1;

// Every node but `favourite` scores 0.
class Favourite final : public Scorer {
 public:
  explicit Favourite(std::string node) : node_(std::move(node)) {}
  std::string_view name() const override { return "Favourite"; }
  std::int64_t score(const PodInfo&, const NodeInfo& node) const override { return node.name() == node_ ? 100 : 0; }

 private:
  std::string node_;
};

// Fails on the pod named "poison", as a buggy third-party stage might.
class Throwing final : public Filter {
 public:
  std::string_view name() const override { return "Throwing"; }
  void filter(const PodInfo& pod, const NodeInfo&, std::vector<std::string>&) const override {
    if (pod.pod->metadata().name() == "poison") throw std::runtime_error("cannot make sense of poison");
  }
};

class SchedulerFramework : public ::testing::Test {
 protected:
  void SetUp() override {
    node_.start();
    api_ = std::make_unique<sdk::ApiClient>(node_.bus(), node_.subjects());
    add_node("small", "1");
    add_node("big", "8");
  }
  void TearDown() override {
    scheduler_.reset();
    if (HasFailure()) std::fprintf(stderr, "skiffd output:\n%s\n", node_.output().c_str());
  }

  Scheduler& scheduler(SchedulerOptions options = {}) {
    options.scheduler_name = "third-party";
    options.leader_elect = false;
    options.queue.initial_backoff = 50ms;
    scheduler_ = std::make_unique<Scheduler>(node_.bus(), node_.subjects(), options);
    return *scheduler_;
  }
  void add_node(const std::string& name, const std::string& cpu) {
    core::Node node;
    node.mutable_metadata()->set_name(name);
    (*node.mutable_metadata()->mutable_labels())["kubernetes.io/hostname"] = name;
    (*node.mutable_status()->mutable_allocatable())["cpu"] = cpu;
    (*node.mutable_status()->mutable_allocatable())["memory"] = "8Gi";
    api_->create(node);
  }
  void add_pod(const std::string& name, const std::string& cpu) {
    core::Pod pod;
    pod.mutable_metadata()->set_name(name);
    pod.mutable_metadata()->set_namespace_("default");
    pod.mutable_spec()->set_scheduler_name("third-party");
    auto* c = pod.mutable_spec()->add_containers();
    c->set_name("main");
    c->set_image("busybox");
    (*c->mutable_resources()->mutable_requests())["cpu"] = cpu;
    api_->create(pod);
  }
  std::string node_of(const std::string& pod) const { return api_->get<core::Pod>("default", pod).spec().node_name(); }
  std::string bound_node(const std::string& pod) const {
    std::string node;
    test::wait_until([&] { return !(node = node_of(pod)).empty(); }, 15s);
    return node;
  }

  test::NatsServer nats_;
  test::PluginNode node_{nats_,
                         "  - name: store-lmdb\n    config: {map_size: 64Mi}\n"
                         "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"};
  std::unique_ptr<sdk::ApiClient> api_;
  std::unique_ptr<Scheduler> scheduler_;
};

TEST_F(SchedulerFramework, UnsetStageListsMeanTheBuiltInDefaults) {
  auto& s = scheduler();
  s.add_scorer(std::make_unique<Favourite>("small"), 10);
  s.start();
  add_pod("needs-two-cpus", "2");
  EXPECT_EQ(bound_node("needs-two-cpus"), "big");  // NodeResourcesFit ran although no filter was named
}

TEST_F(SchedulerFramework, EmptyStageListsMeanOnlyTheStagesAdded) {
  SchedulerOptions options;
  options.filters = std::vector<std::string>{};
  options.scorers = std::vector<std::pair<std::string, int>>{};
  auto& s = scheduler(options);
  s.add_scorer(std::make_unique<Favourite>("small"), 1);
  s.start();
  add_pod("needs-two-cpus", "2");
  EXPECT_EQ(bound_node("needs-two-cpus"), "small");  // nothing checked the resources: as asked
}

TEST_F(SchedulerFramework, WeightsBelowOneAreRefused) {
  auto& s = scheduler();
  EXPECT_THROW(s.add_scorer(std::make_unique<Favourite>("small"), 0), sdk::Error);
  SchedulerOptions options;
  options.scorers = std::vector<std::pair<std::string, int>>{{"MostAllocated", 0}};
  EXPECT_THROW(scheduler(options), sdk::Error);
}

TEST_F(SchedulerFramework, AStageThatThrowsCostsOnlyItsPod) {
  auto& s = scheduler();
  s.add_filter(std::make_unique<Throwing>());
  s.start();
  add_pod("poison", "100m");
  add_pod("fine", "100m");
  EXPECT_FALSE(bound_node("fine").empty());
  add_pod("fine-after", "100m");
  EXPECT_FALSE(bound_node("fine-after").empty());
  EXPECT_EQ(node_of("poison"), "");
  EXPECT_GE(s.stats().pending, 1u);  // still queued, retried after its back-off
}

}  // namespace
