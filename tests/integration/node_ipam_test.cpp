// Node IPAM in the real controller-manager, in a skiffd of its own (so it can be restarted)
// beside a real store and apiserver: Nodes are plain API objects, as kubelets would register them.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "plugin_node.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;

std::string manager(const std::string& config) {
  return "  - name: controller-manager\n    config: {leader_elect: false, controllers: [nodeipam]" +
         (config.empty() ? "" : ", " + config) + "}\n";
}

// A small cluster CIDR: two /30 node ranges, 10.244.0.0/30 and 10.244.0.4/30.
const std::string kTwoRanges = "cluster_cidr: 10.244.0.0/29, node_cidr_mask_size: 30";

class NodeIpam : public ::testing::Test {
 protected:
  void SetUp() override {
    control_.start();
    api_ = std::make_unique<sdk::ApiClient>(control_.bus(), control_.subjects());
  }
  void TearDown() override {
    if (HasFailure() && manager_) std::fprintf(stderr, "controller-manager output:\n%s\n", manager_->output().c_str());
  }
  void start_manager(const std::string& config = "") {
    manager_ = std::make_unique<test::PluginNode>(nats_, manager(config), "cm");
    manager_->start();
  }

  core::Node create_node(const std::string& name, const std::string& pod_cidr = "") {
    core::Node node;
    node.mutable_metadata()->set_name(name);
    node.mutable_spec()->set_pod_cidr(pod_cidr);
    return api_->create(node);
  }
  std::string pod_cidr(const std::string& node) { return api_->get<core::Node>("", node).spec().pod_cidr(); }
  // Every named node's podCIDR once all have one; empty on timeout.
  std::map<std::string, std::string> wait_for_cidrs(const std::vector<std::string>& nodes) {
    std::map<std::string, std::string> cidrs;
    bool all = test::wait_until([&] {
      cidrs.clear();
      for (const auto& n : api_->list<core::Node>())
        if (!n.spec().pod_cidr().empty()) cidrs[n.metadata().name()] = n.spec().pod_cidr();
      for (const auto& n : nodes)
        if (!cidrs.count(n)) return false;
      return true;
    }, 20s);
    return all ? cidrs : std::map<std::string, std::string>{};
  }
  static void expect_distinct(const std::map<std::string, std::string>& cidrs) {
    std::set<std::string> seen;
    for (const auto& [node, cidr] : cidrs) EXPECT_TRUE(seen.insert(cidr).second) << cidr << " given twice";
  }
  // The node's events with this reason (written in the background: wait for them).
  std::vector<core::Event> events(const std::string& node, const std::string& reason) {
    std::vector<core::Event> found;
    test::wait_until([&] {
      found.clear();
      for (auto& e : api_->list<core::Event>("default"))
        if (e.involved_object().name() == node && e.reason() == reason) found.push_back(std::move(e));
      return !found.empty();
    }, 15s);
    return found;
  }
  const core::NodeCondition* condition(const core::Node& node, const std::string& type) {
    for (const auto& c : node.status().conditions())
      if (c.type() == type) return &c;
    return nullptr;
  }

  test::NatsServer nats_;
  test::PluginNode control_{nats_,
                            "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
                            "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n",
                            "control"};
  std::unique_ptr<test::PluginNode> manager_;
  std::unique_ptr<sdk::ApiClient> api_;
};

TEST_F(NodeIpam, EachNodeGetsADistinctCidrFromTheClusterCidr) {
  start_manager();
  std::vector<std::string> nodes = {"node-0", "node-1", "node-2", "node-3", "node-4"};
  for (const auto& n : nodes) create_node(n);
  auto cidrs = wait_for_cidrs(nodes);
  ASSERT_EQ(cidrs.size(), nodes.size());
  expect_distinct(cidrs);
  for (const auto& n : nodes) {
    auto node = api_->get<core::Node>("", n);
    const std::string& cidr = node.spec().pod_cidr();
    EXPECT_EQ(cidr.rfind("10.244.", 0), 0u) << cidr;
    EXPECT_EQ(cidr.substr(cidr.size() - 5), ".0/24") << cidr;
    ASSERT_EQ(node.spec().pod_cidrs_size(), 1);
    EXPECT_EQ(node.spec().pod_cidrs(0), cidr);
  }
}

TEST_F(NodeIpam, ARestartKeepsEveryCidrAndHandsNoneOutTwice) {
  start_manager();
  for (const char* n : {"node-0", "node-1", "node-2"}) create_node(n);
  auto before = wait_for_cidrs({"node-0", "node-1", "node-2"});
  ASSERT_EQ(before.size(), 3u);
  manager_->stop();
  // While it is down: a node goes, two come, one of them with a CIDR of its own.
  api_->erase<core::Node>("", "node-1");
  create_node("node-3");
  create_node("node-4");
  create_node("manual", "10.244.9.0/24");
  manager_->start();
  auto after = wait_for_cidrs({"node-0", "node-2", "node-3", "node-4", "manual"});
  ASSERT_EQ(after.size(), 5u);
  EXPECT_EQ(after["node-0"], before["node-0"]);
  EXPECT_EQ(after["node-2"], before["node-2"]);
  EXPECT_EQ(after["manual"], "10.244.9.0/24");
  expect_distinct(after);
}

TEST_F(NodeIpam, AFullRangeIsReportedAndADeletedNodesCidrGoesToTheNodeWaiting) {
  start_manager(kTwoRanges);
  create_node("a");
  create_node("b");
  auto cidrs = wait_for_cidrs({"a", "b"});
  ASSERT_EQ(cidrs.size(), 2u);
  EXPECT_EQ(cidrs["a"], "10.244.0.0/30");
  EXPECT_EQ(cidrs["b"], "10.244.0.4/30");

  create_node("c");
  auto full = events("c", "CIDRNotAvailable");
  ASSERT_FALSE(full.empty());
  EXPECT_EQ(full[0].type(), "Warning");
  EXPECT_EQ(full[0].message(), "Node c status is now: CIDRNotAvailable");
  core::Node waiting;
  ASSERT_TRUE(test::wait_until([&] {
    waiting = api_->get<core::Node>("", "c");
    return condition(waiting, "NetworkUnavailable") != nullptr;
  }, 15s));
  const auto* unavailable = condition(waiting, "NetworkUnavailable");
  EXPECT_EQ(unavailable->status(), "True");
  EXPECT_EQ(unavailable->reason(), "NoCIDRAvailable");
  EXPECT_NE(unavailable->message().find("10.244.0.0/29"), std::string::npos) << unavailable->message();
  EXPECT_EQ(waiting.spec().pod_cidr(), "");

  api_->erase<core::Node>("", "a");
  ASSERT_TRUE(test::wait_until([&] { return pod_cidr("c") == "10.244.0.0/30"; }, 20s));
  ASSERT_TRUE(test::wait_until([&] {
    return condition(api_->get<core::Node>("", "c"), "NetworkUnavailable") == nullptr;
  }, 15s)) << "the condition goes once the node has a CIDR";
  EXPECT_EQ(pod_cidr("b"), "10.244.0.4/30");
}

TEST_F(NodeIpam, CidrsNodesHaveAreKeptAndStraysAndClashesReported) {
  start_manager(kTwoRanges);
  create_node("keep", "10.244.0.0/30");
  create_node("fresh");
  EXPECT_EQ(wait_for_cidrs({"fresh"})["fresh"], "10.244.0.4/30") << "the range keep holds is skipped";
  create_node("stray", "192.168.5.0/24");
  create_node("twin", "10.244.0.0/30");
  auto outside = events("stray", "PodCIDRNotInClusterCIDR");
  ASSERT_FALSE(outside.empty());
  EXPECT_EQ(outside[0].type(), "Warning");
  EXPECT_NE(outside[0].message().find("outside the cluster CIDR 10.244.0.0/29"), std::string::npos) << outside[0].message();
  auto clash = events("twin", "PodCIDRConflict");
  ASSERT_FALSE(clash.empty());
  EXPECT_NE(clash[0].message().find("overlaps node keep's"), std::string::npos) << clash[0].message();
  // Reported, not re-assigned: a podCIDR cannot change once set.
  EXPECT_EQ(pod_cidr("stray"), "192.168.5.0/24");
  EXPECT_EQ(pod_cidr("twin"), "10.244.0.0/30");
  EXPECT_EQ(pod_cidr("keep"), "10.244.0.0/30");
}

TEST_F(NodeIpam, TheApiRefusesToMoveANodesCidr) {
  start_manager();
  create_node("settled");
  std::string cidr = wait_for_cidrs({"settled"})["settled"];
  ASSERT_FALSE(cidr.empty());
  try {
    api_->patch<core::Node>("", "settled", "merge", R"({"spec":{"podCIDR":"10.244.200.0/24"}})");
    FAIL() << "moved";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 422);
    EXPECT_NE(e.status().message.find(
                  "spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid"),
              std::string::npos)
        << e.status().message;
  }
  EXPECT_EQ(pod_cidr("settled"), cidr);
}

TEST_F(NodeIpam, TurnedOffItLeavesNodesAlone) {
  start_manager("allocate_node_cidrs: false");
  ASSERT_TRUE(test::wait_until([&] { return manager_->output().find("controllers running:") != std::string::npos; }, 10s));
  EXPECT_NE(manager_->output().find("nodeipam: allocate_node_cidrs is false"), std::string::npos) << manager_->output();
  EXPECT_EQ(manager_->output().find("node-ipam-controller"), std::string::npos) << manager_->output();
}

// A bad setting stops the controller-manager at start with one message naming the key and the fix.
std::string refusal(const std::string& config) {
  test::NatsServer nats;
  test::PluginNode node(nats, manager(config), "refused");
  EXPECT_THROW(node.start(), std::exception);
  return node.output();
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

TEST(NodeIpamConfig, BadSettingsAreRefusedAtStartWithOneMessage) {
  std::string overlap = refusal("cluster_cidr: 10.96.0.0/16");
  EXPECT_EQ(occurrences(overlap, "config cluster_cidr: 10.96.0.0/16 overlaps service_cidr 10.96.0.0/12"), 1u) << overlap;
  std::string not_a_cidr = refusal("cluster_cidr: 10.244.0.0");
  EXPECT_EQ(occurrences(not_a_cidr, "config cluster_cidr: '10.244.0.0' is not a CIDR"), 1u) << not_a_cidr;
  std::string too_short = refusal("cluster_cidr: 10.244.0.0/24, node_cidr_mask_size: 24");
  EXPECT_EQ(occurrences(too_short, "config node_cidr_mask_size: 24 must be larger than the prefix of cluster_cidr"), 1u)
      << too_short;
  // Out of the table's range: skiffd itself refuses it, before the plugin starts.
  std::string out_of_range = refusal("node_cidr_mask_size: 31");
  EXPECT_EQ(occurrences(out_of_range, "config key 'node_cidr_mask_size' must be between 8 and 30, got 31"), 1u)
      << out_of_range;
}

}  // namespace
