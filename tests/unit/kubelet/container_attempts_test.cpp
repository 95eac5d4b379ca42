// A pod container's attempts in the runtime, and the restart and pull policies.
#include <gtest/gtest.h>

#include "container_attempts.hpp"
#include "container_spec.hpp"

namespace {

using namespace skiff;
using namespace skiff::kubelet;
namespace core = api::core::v1;
namespace rt = runtime::v1;

rt::ContainerStatus runtime_container(const std::string& id, const std::string& name, const std::string& attempt) {
  rt::ContainerStatus c;
  c.set_id(id);
  (*c.mutable_labels())[kLabelContainer] = name;
  if (!attempt.empty()) (*c.mutable_labels())[kLabelAttempt] = attempt;
  return c;
}

TEST(KubeletContainerAttempts, AreThoseOfTheNamedContainerOldestFirst) {
  std::vector<rt::ContainerStatus> all = {runtime_container("a10", "app", "10"), runtime_container("s0", "sidecar", "0"),
                                          runtime_container("a2", "app", "2"), runtime_container("a9", "app", "9")};
  rt::ContainerStatus unlabelled;
  unlabelled.set_id("stranger");
  all.push_back(unlabelled);
  auto app = attempts_of(all, "app");
  ASSERT_EQ(app.size(), 3u);
  EXPECT_EQ(app[0].id(), "a2");
  EXPECT_EQ(app[1].id(), "a9");
  EXPECT_EQ(app[2].id(), "a10");  // by number, not by text
  EXPECT_EQ(attempts_of(all, "sidecar").size(), 1u);
  EXPECT_TRUE(attempts_of(all, "missing").empty());
  EXPECT_EQ(attempt_of(app[2]), 10);
  EXPECT_EQ(attempt_of(runtime_container("x", "app", "")), 0);
}

TEST(KubeletContainerAttempts, RestartPolicyDecidesOnTheExitCode) {
  core::Pod pod;
  EXPECT_EQ(restart_policy_of(pod), "Always");
  pod.mutable_spec()->set_restart_policy("OnFailure");
  EXPECT_EQ(restart_policy_of(pod), "OnFailure");

  EXPECT_TRUE(restarts("Always", 0));
  EXPECT_TRUE(restarts("Always", 137));
  EXPECT_FALSE(restarts("OnFailure", 0));
  EXPECT_TRUE(restarts("OnFailure", 1));
  EXPECT_FALSE(restarts("Never", 0));
  EXPECT_FALSE(restarts("Never", 2));
}

TEST(KubeletContainerAttempts, PullPolicyDefaultsByTag) {
  auto policy = [](const std::string& image, const std::string& set = "") {
    core::Container c;
    c.set_image(image);
    c.set_image_pull_policy(set);
    return pull_policy(c);
  };
  EXPECT_EQ(policy("busybox"), "Always");
  EXPECT_EQ(policy("busybox:latest"), "Always");
  EXPECT_EQ(policy("busybox:1.36"), "IfNotPresent");
  EXPECT_EQ(policy("registry.local:5000/busybox"), "Always");  // a port is no tag
  EXPECT_EQ(policy("registry.local:5000/busybox:1"), "IfNotPresent");
  EXPECT_EQ(policy("busybox", "Never"), "Never");
  EXPECT_EQ(policy("busybox:1.36", "Always"), "Always");
}

}  // namespace
