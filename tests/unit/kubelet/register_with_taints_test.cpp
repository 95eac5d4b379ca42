// Taints a node is registered with (kubelet's --register-with-taints): parsed as kubectl
// writes them, given at registration only.
#include <gtest/gtest.h>

#include "kubelet_harness.hpp"
#include "node_registration.hpp"

namespace {

using namespace skiff;
using namespace skiff::test;
namespace core = api::core::v1;

class KubeletRegistrationTaints : public SimClusterSuite {
 protected:
  kubelet::NodeRegistration registration(const std::string& node, std::vector<core::Taint> taints = {}) {
    kubelet::NodeOptions options;
    options.name = node;
    options.register_with_taints = std::move(taints);
    kubelet::Machine machine;
    machine.internal_ip = "10.213.0.7";
    return kubelet::NodeRegistration(cluster_->api(), cluster_->runtime(), options, machine, cluster_->log());
  }
};

TEST(KubeletTaints, ParseAsKubectlWritesThem) {
  auto t = kubelet::parse_taint("node-role.kubernetes.io/control-plane:NoSchedule");
  EXPECT_EQ(t.key(), "node-role.kubernetes.io/control-plane");
  EXPECT_EQ(t.value(), "");
  EXPECT_EQ(t.effect(), "NoSchedule");
  t = kubelet::parse_taint("dedicated=gpu:NoExecute");
  EXPECT_EQ(t.key(), "dedicated");
  EXPECT_EQ(t.value(), "gpu");
  for (const char* bad : {"dedicated=gpu", "dedicated:Sometimes", ":NoSchedule"}) {
    try {
      kubelet::parse_taint(bad);
      ADD_FAILURE() << bad << " was taken";
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.status().code, 422) << bad;
    }
  }
}

TEST_F(KubeletRegistrationTaints, TaintsAreGivenAtRegistrationOnly) {
  auto first = registration("tainted", {kubelet::parse_taint("node-role.kubernetes.io/control-plane:NoSchedule")});
  first.register_node();
  auto node = cluster_->api().get<core::Node>("", "tainted");
  ASSERT_EQ(node.spec().taints_size(), 1);
  EXPECT_EQ(node.spec().taints(0).effect(), "NoSchedule");
  node.mutable_spec()->clear_taints();  // an admin removes it
  cluster_->api().update(node);
  auto again = registration("tainted", {kubelet::parse_taint("node-role.kubernetes.io/control-plane:NoSchedule")});
  again.register_node();
  EXPECT_EQ(cluster_->api().get<core::Node>("", "tainted").spec().taints_size(), 0);
}

}  // namespace
