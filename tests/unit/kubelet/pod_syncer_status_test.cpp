// The status the pod syncer writes: phase, conditions, addresses, qosClass and each
// container's status, as the runtime and the API say; and the reasons a pod waits.
#include <gtest/gtest.h>

#include "container_attempts.hpp"
#include "container_spec.hpp"
#include "kubelet_harness.hpp"
#include "pod_status.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace skiff::test;
namespace core = api::core::v1;

class KubeletPodStatusWrites : public KubeletSuite {};

void limit(core::Container& c, const std::string& cpu, const std::string& memory) {
  (*c.mutable_resources()->mutable_limits())["cpu"] = cpu;
  (*c.mutable_resources()->mutable_limits())["memory"] = memory;
}

const core::PodCondition* find(const core::Pod& pod, const std::string& type) {
  for (const auto& c : pod.status().conditions())
    if (c.type() == type) return &c;
  return nullptr;
}

TEST_F(KubeletPodStatusWrites, ARunningPodsStatusSaysWhatRunsWhereAndHow) {
  core::Pod pod = pod_named("described");
  limit(*pod.mutable_spec()->mutable_containers(0), "500m", "128Mi");
  auto* init = pod.mutable_spec()->add_init_containers();
  init->set_name("setup");
  init->set_image("busybox:1.36");
  set_env(*init, "SIM_EXIT_CODE", "0");
  limit(*init, "250m", "64Mi");
  pod = kubelet_.create(pod);
  ASSERT_TRUE(kubelet_.sync_until("described", [](const core::Pod& p) { return condition(p, "Ready") == "True"; }))
      << kubelet_.get("described").DebugString();

  core::Pod now = kubelet_.get("described");
  const auto& status = now.status();
  EXPECT_EQ(status.phase(), "Running");
  EXPECT_EQ(status.qos_class(), "Guaranteed");
  for (const char* type : {"Initialized", "ContainersReady", "Ready"}) {
    ASSERT_NE(find(now, type), nullptr) << type;
    EXPECT_EQ(find(now, type)->status(), "True") << type;
    EXPECT_FALSE(find(now, type)->last_transition_time().empty()) << type;
  }
  auto sandboxes = cluster_->runtime().list_sandboxes({{kubelet::kLabelPodUid, now.metadata().uid()}});
  ASSERT_EQ(sandboxes.size(), 1u);
  EXPECT_EQ(status.pod_ip(), sandboxes[0].ip());
  ASSERT_EQ(status.pod_ips_size(), 1);
  EXPECT_EQ(status.pod_ips(0).ip(), sandboxes[0].ip());
  EXPECT_EQ(status.host_ip(), kHostIp);
  EXPECT_FALSE(status.start_time().empty());

  auto main = kubelet_.attempts(now, "main").back();
  ASSERT_EQ(status.container_statuses_size(), 1);
  const auto& cs = status.container_statuses(0);
  EXPECT_EQ(cs.name(), "main");
  EXPECT_EQ(cs.image(), "busybox:1.36");
  EXPECT_EQ(cs.image_id(), main.image_ref());
  EXPECT_EQ(cs.container_id(), "sim://" + main.id()) << "the runtime's own name, from its version";
  EXPECT_EQ(cs.state().running().started_at(), kubelet::rfc3339_seconds(main.started_at()));
  EXPECT_TRUE(cs.started());
  EXPECT_TRUE(cs.ready());
  EXPECT_EQ(cs.restart_count(), 0);
  ASSERT_EQ(status.init_container_statuses_size(), 1);
  EXPECT_EQ(status.init_container_statuses(0).state().terminated().reason(), "Completed");

  // Nothing changed: another sync writes nothing (the resourceVersion stays) and the
  // conditions keep their transition times.
  kubelet_.sync("described");
  core::Pod again = kubelet_.get("described");
  EXPECT_EQ(again.metadata().resource_version(), now.metadata().resource_version());
  EXPECT_EQ(find(again, "Ready")->last_transition_time(), find(now, "Ready")->last_transition_time());
  EXPECT_TRUE(kubelet_.syncer().wrote(now.metadata().uid(), now.status())) << "its own write is known as such";

  // What it leaves in the runtime, as its node agent's relist will see it: nothing new.
  std::vector<std::string> relisted;
  for (const auto& c : kubelet_.containers(now)) relisted.push_back(c.id() + ":" + c.state());
  for (const auto& s : sandboxes) relisted.push_back(s.id() + ":" + s.state());
  EXPECT_EQ(kubelet_.syncer().runtime_signature(now.metadata().uid()), kubelet::runtime_signature(relisted));
}

TEST_F(KubeletPodStatusWrites, QosClassCountsTheInitContainers) {
  core::Pod pod = pod_named("burstable-init");
  limit(*pod.mutable_spec()->mutable_containers(0), "500m", "128Mi");
  auto* init = pod.mutable_spec()->add_init_containers();
  init->set_name("setup");
  init->set_image("busybox:1.36");
  set_env(*init, "SIM_EXIT_CODE", "0");  // limits nothing: the pod is not guaranteed
  kubelet_.create(pod);
  ASSERT_TRUE(kubelet_.sync_until("burstable-init", [](const core::Pod& p) { return p.status().phase() == "Running"; }));
  EXPECT_EQ(kubelet_.get("burstable-init").status().qos_class(), "Burstable");
}

TEST_F(KubeletPodStatusWrites, AMissingConfigMapIsAConfigErrorUntilItExists) {
  core::Pod pod = pod_named("needs-config");
  auto* env = pod.mutable_spec()->mutable_containers(0)->add_env();
  env->set_name("GREETING");
  env->mutable_value_from()->mutable_config_map_key_ref()->set_name("greetings");
  env->mutable_value_from()->mutable_config_map_key_ref()->set_key("hello");
  kubelet_.create(pod);
  ASSERT_TRUE(kubelet_.sync_until("needs-config", [](const core::Pod& p) {
    return p.status().container_statuses_size() == 1 &&
           p.status().container_statuses(0).state().waiting().reason() == "CreateContainerConfigError";
  })) << kubelet_.get("needs-config").DebugString();
  core::Pod waiting = kubelet_.get("needs-config");
  EXPECT_EQ(waiting.status().phase(), "Pending");
  EXPECT_EQ(waiting.status().container_statuses(0).state().waiting().message(), "configmap \"greetings\" not found");

  core::ConfigMap config;
  config.mutable_metadata()->set_name("greetings");
  config.mutable_metadata()->set_namespace_("default");
  (*config.mutable_data())["hello"] = "world";
  cluster_->api().create(config);
  ASSERT_TRUE(kubelet_.sync_until("needs-config", [](const core::Pod& p) { return condition(p, "Ready") == "True"; }))
      << kubelet_.get("needs-config").DebugString();
  sdk::ApiDeleteOptions now;
  now.grace_period_seconds = 0;
  cluster_->api().erase<core::ConfigMap>("default", "greetings", now);
}

TEST_F(KubeletPodStatusWrites, AnImageThatCannotBePulledIsErrImagePullThenImagePullBackOff) {
  core::Pod pod = pod_named("no-image");
  pod.mutable_spec()->mutable_containers(0)->set_image("registry.invalid/missing:1");
  kubelet_.create(pod);
  auto reason_is = [](const std::string& reason) {
    return [reason](const core::Pod& p) {
      return p.status().container_statuses_size() == 1 &&
             p.status().container_statuses(0).state().waiting().reason() == reason;
    };
  };
  ASSERT_TRUE(kubelet_.sync_until("no-image", reason_is("ErrImagePull"))) << kubelet_.get("no-image").DebugString();
  ASSERT_TRUE(kubelet_.sync_until("no-image", reason_is("ImagePullBackOff"))) << kubelet_.get("no-image").DebugString();
  EXPECT_EQ(kubelet_.get("no-image").status().phase(), "Pending");
  EXPECT_TRUE(wait_until([&] { return !kubelet_.events("no-image", "Failed").empty(); }));
}

TEST_F(KubeletPodStatusWrites, AMissingRuntimeClassLeavesThePodPendingAndSaysWhy) {
  core::Pod pod = pod_named("no-class");
  pod.mutable_spec()->set_runtime_class_name("nowhere");
  kubelet_.create(pod);
  EXPECT_EQ(kubelet_.sync("no-class"), std::chrono::milliseconds(5000)) << "it is to be tried again";
  EXPECT_EQ(kubelet_.get("no-class").status().phase(), "Pending");
  ASSERT_TRUE(wait_until([&] { return !kubelet_.events("no-class", "FailedCreatePodSandBox").empty(); }));
  EXPECT_NE(kubelet_.events("no-class", "FailedCreatePodSandBox")[0].message().find("RuntimeClass \"nowhere\" not found"),
            std::string::npos);
}

}  // namespace
