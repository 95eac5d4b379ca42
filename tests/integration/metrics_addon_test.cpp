// The metrics addon on a real bus, store and apiserver: kubelets are stood in for by bus
// services answering summaries whose counters advance at known rates, so the usage the API
// and `kubectl top` show can be checked exactly; the real kubelets' summaries are covered by
// the kubelet's own tests and the monitoring end-to-end test.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <regex>

#include "api_node.hpp"
#include "http_client.hpp"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/stats/v1alpha1/stats.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/time.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace stats = api::stats::v1alpha1;
namespace core = api::core::v1;

// One simulated kubelet: cumulative CPU grows at `cores` per pod; memory is fixed.
struct FakePod {
  std::string name;
  double cores;
  std::uint64_t memory;
};

class FakeKubelet {
 public:
  FakeKubelet(test::PluginNode& node, std::string name, double node_cores) : name_(std::move(name)), node_cores_(node_cores) {
    service_ = node.bus().serve(node.subjects().kubelet_on(name_, "stats_summary"), "kubelet",
                                [this](sdk::Request r) { r.reply(summary().SerializeAsString()); });
  }
  void set_pods(std::vector<FakePod> pods) {
    std::lock_guard lock(mutex_);
    pods_ = std::move(pods);
  }
  void go_away() { service_.cancel(); }

 private:
  stats::Summary summary() {
    std::lock_guard lock(mutex_);
    // Counters from the very time the summary states (µs), so the addon's rate is exact.
    auto now = std::chrono::time_point_cast<std::chrono::microseconds>(sdk::WallClock::now());
    double seconds = std::chrono::duration<double>(now - started_).count();
    std::string time = sdk::format_rfc3339_micro(now);
    stats::Summary s;
    s.mutable_node()->set_node_name(name_);
    s.mutable_node()->mutable_cpu()->set_time(time);
    s.mutable_node()->mutable_cpu()->set_usage_core_nano_seconds(std::llround(seconds * node_cores_ * 1e9));
    s.mutable_node()->mutable_memory()->set_working_set_bytes(2ull << 30);
    for (const auto& pod : pods_) {
      auto* p = s.add_pods();
      p->mutable_pod_ref()->set_name(pod.name);
      p->mutable_pod_ref()->set_namespace_("default");
      p->mutable_pod_ref()->set_uid("uid-" + pod.name);
      auto* c = p->add_containers();
      c->set_name("main");
      c->set_start_time("2026-12-01T00:00:00Z");
      c->mutable_cpu()->set_time(time);
      c->mutable_cpu()->set_usage_core_nano_seconds(std::llround(seconds * pod.cores * 1e9));
      c->mutable_memory()->set_working_set_bytes(pod.memory);
    }
    return s;
  }

  std::string name_;
  double node_cores_;
  sdk::WallClock::time_point started_ = std::chrono::time_point_cast<std::chrono::microseconds>(sdk::WallClock::now());
  std::mutex mutex_;
  std::vector<FakePod> pods_;
  sdk::Subscription service_;
};

class MetricsAddon : public ::testing::Test {
 protected:
  void SetUp() override {
    sdk::ApiClient api(node.node().bus(), node.node().subjects());
    for (const char* name : {"node-a", "node-b"}) {
      core::Node n;
      n.mutable_metadata()->set_name(name);
      (*n.mutable_metadata()->mutable_labels())["pool"] = name == std::string("node-a") ? "blue" : "green";
      api.create(n);
    }
    for (const char* name : {"burner", "idle"}) {
      core::Pod p;
      p.mutable_metadata()->set_name(name);
      p.mutable_metadata()->set_namespace_("default");
      (*p.mutable_metadata()->mutable_labels())["app"] = name;
      auto* c = p.mutable_spec()->add_containers();
      c->set_name("main");
      c->set_image("busybox");
      api.create(p);
    }
  }

  json::value get(const std::string& target) {
    auto r = http.request("GET", target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    return ec ? json::value() : v;
  }
  // The items of a metrics list by name.
  std::map<std::string, json::object> items(const std::string& target) {
    std::map<std::string, json::object> out;
    json::value list = get(target);
    if (!list.is_object() || !list.as_object().contains("items")) return out;
    for (const auto& item : list.at("items").as_array())
      out[std::string(item.at("metadata").at("name").as_string())] = item.as_object();
    return out;
  }
  static double cores(const json::value& quantity) {
    std::string text(quantity.as_string());
    return std::stod(text.substr(0, text.size() - 1)) / 1e9;  // "<n>n"
  }

  test::ApiNode node{"", "  - name: metrics\n    config: {period: 500ms, scrape_timeout: 400ms}\n"};
  test::HttpClient http{node.port(), node.ca_file(), node.token()};
};

TEST_F(MetricsAddon, NodeAndPodUsageAreRatesOfTheKubeletsCounters) {
  FakeKubelet a(node.node(), "node-a", 1.5), b(node.node(), "node-b", 0.25);
  a.set_pods({{"burner", 1.0, 50u << 20}, {"idle", 0.001, 4u << 20}});
  std::map<std::string, json::object> nodes;
  ASSERT_TRUE(test::wait_until([&] { return (nodes = items("/apis/metrics.k8s.io/v1beta1/nodes")).size() == 2; }, 15s));
  EXPECT_NEAR(cores(nodes["node-a"].at("usage").at("cpu")), 1.5, 0.01);
  EXPECT_NEAR(cores(nodes["node-b"].at("usage").at("cpu")), 0.25, 0.01);
  EXPECT_EQ(nodes["node-a"].at("usage").at("memory"), "2097152Ki");
  EXPECT_EQ(nodes["node-a"].at("kind"), "NodeMetrics");

  std::map<std::string, json::object> pods;
  ASSERT_TRUE(test::wait_until([&] { return (pods = items("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods")).size() == 2; }, 15s));
  const auto& burner = pods["burner"].at("containers").at(0);
  EXPECT_EQ(burner.at("name"), "main");
  EXPECT_NEAR(cores(burner.at("usage").at("cpu")), 1.0, 0.01);
  EXPECT_EQ(burner.at("usage").at("memory"), "51200Ki");
  EXPECT_FALSE(std::string(pods["burner"].at("window").as_string()).empty());
}

TEST_F(MetricsAddon, LabelSelectorsAndNamesChooseWhatIsShown) {
  FakeKubelet a(node.node(), "node-a", 1), b(node.node(), "node-b", 1);
  a.set_pods({{"burner", 1.0, 1024}, {"idle", 0.0, 1024}});
  ASSERT_TRUE(test::wait_until([&] { return items("/apis/metrics.k8s.io/v1beta1/pods").size() == 2; }, 15s));
  auto chosen = items("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dburner");
  ASSERT_EQ(chosen.size(), 1u);
  EXPECT_TRUE(chosen.contains("burner"));
  EXPECT_EQ(get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/idle").at("metadata").at("name"), "idle");
  EXPECT_TRUE(items("/apis/metrics.k8s.io/v1beta1/namespaces/other/pods").empty());
  ASSERT_TRUE(test::wait_until([&] { return items("/apis/metrics.k8s.io/v1beta1/nodes").size() == 2; }, 15s));
  auto green = items("/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=pool%3Dgreen");
  ASSERT_EQ(green.size(), 1u);
  EXPECT_TRUE(green.contains("node-b"));
}

TEST_F(MetricsAddon, PodsThatAreGoneAndNodesThatStopAnsweringDisappear) {
  FakeKubelet a(node.node(), "node-a", 1), b(node.node(), "node-b", 1);
  a.set_pods({{"burner", 1.0, 1024}, {"idle", 0.0, 1024}});
  ASSERT_TRUE(test::wait_until([&] { return items("/apis/metrics.k8s.io/v1beta1/pods").size() == 2; }, 15s));
  a.set_pods({{"burner", 1.0, 1024}});
  EXPECT_TRUE(test::wait_until([&] { return items("/apis/metrics.k8s.io/v1beta1/pods").size() == 1; }, 15s));
  ASSERT_TRUE(test::wait_until([&] { return items("/apis/metrics.k8s.io/v1beta1/nodes").size() == 2; }, 15s));
  b.go_away();
  EXPECT_TRUE(test::wait_until([&] {
    auto nodes = items("/apis/metrics.k8s.io/v1beta1/nodes");
    return nodes.size() == 1 && nodes.contains("node-a");
  }, 15s));
}

TEST_F(MetricsAddon, KubectlTopShowsTheUsage) {
  FakeKubelet a(node.node(), "node-a", 1.5), b(node.node(), "node-b", 0.5);
  a.set_pods({{"burner", 1.0, 50u << 20}, {"idle", 0.002, 8u << 20}});
  ASSERT_TRUE(test::wait_until([&] { return items("/apis/metrics.k8s.io/v1beta1/pods").size() == 2; }, 15s));
  ASSERT_TRUE(test::wait_until([&] { return items("/apis/metrics.k8s.io/v1beta1/nodes").size() == 2; }, 15s));
  auto top = node.kubectl("/usr/bin/kubectl", {"top", "pod", "--sort-by=cpu"});
  ASSERT_EQ(top.exit_code, 0) << top.both();
  auto burner = top.out.find("burner"), idle = top.out.find("idle");
  ASSERT_NE(burner, std::string::npos) << top.out;
  EXPECT_LT(burner, idle) << top.out;  // sorted by CPU, busiest first
  // kubectl rounds nanocores up to millicores: a rate a nanocore off the exact one shows 1 m more.
  EXPECT_TRUE(std::regex_search(top.out, std::regex("burner +100[01]m"))) << top.out;
  EXPECT_NE(top.out.find("50Mi"), std::string::npos) << top.out;
  auto containers = node.kubectl("/usr/bin/kubectl", {"top", "pod", "burner", "--containers"});
  EXPECT_NE(containers.out.find("main"), std::string::npos) << containers.both();
  auto nodes = node.kubectl("/usr/bin/kubectl", {"top", "node", "-l", "pool=blue"});
  ASSERT_EQ(nodes.exit_code, 0) << nodes.both();
  EXPECT_NE(nodes.out.find("node-a"), std::string::npos) << nodes.out;
  EXPECT_TRUE(std::regex_search(nodes.out, std::regex("node-a +150[01]m"))) << nodes.out;
  EXPECT_EQ(nodes.out.find("node-b"), std::string::npos) << nodes.out;
}

}  // namespace
