// What containerd is asked for (CRI) for a contract request, and what the kubelet is told back.
#include <gtest/gtest.h>

#include "cri_translate.hpp"
#include "skiff/sdk/runtime/labels.hpp"
#include "skiff/sdk/status.hpp"

namespace {

using namespace skiff::containerd;
namespace label = skiff::sdk::label;

rt::SandboxConfig pod() {
  rt::SandboxConfig c;
  c.set_pod_uid("uid-1");
  c.set_pod_name("web");
  c.set_namespace_("shop");
  c.set_hostname("web");
  c.add_dns_servers("10.96.0.10");
  c.add_dns_searches("shop.svc.cluster.local");
  c.add_dns_options("ndots:5");
  auto* port = c.add_port_mappings();
  port->set_protocol("UDP");
  port->set_container_port(53);
  port->set_host_port(5353);
  (*c.mutable_labels())["app"] = "web";
  return c;
}

TEST(CriTranslate, ASandboxSharesItsNamespacesAndLogsUnderThePodsDirectory) {
  auto s = to_cri_sandbox(pod(), "/var/log/skiff", "/skiff");
  EXPECT_EQ(s.metadata().name(), "web");
  EXPECT_EQ(s.metadata().uid(), "uid-1");
  EXPECT_EQ(s.metadata().namespace_(), "shop");
  EXPECT_EQ(s.hostname(), "web");
  EXPECT_EQ(s.log_directory(), "/var/log/skiff/shop_web_uid-1");
  EXPECT_EQ(s.dns_config().servers(0), "10.96.0.10");
  EXPECT_EQ(s.dns_config().options(0), "ndots:5");
  ASSERT_EQ(s.port_mappings_size(), 1);
  EXPECT_EQ(s.port_mappings(0).protocol(), cri::UDP);
  EXPECT_EQ(s.port_mappings(0).host_port(), 5353);
  EXPECT_EQ(s.labels().at("app"), "web");
  EXPECT_EQ(s.labels().at(label::kPodUid), "uid-1");
  EXPECT_EQ(s.labels().at(label::kKind), label::kKindSandbox);
  EXPECT_EQ(s.linux().cgroup_parent(), "/skiff");
  const auto& ns = s.linux().security_context().namespace_options();
  EXPECT_EQ(ns.network(), cri::POD);
  EXPECT_EQ(ns.pid(), cri::CONTAINER) << "each container its own PID namespace, as in Kubernetes";
  EXPECT_EQ(ns.ipc(), cri::POD);
}

TEST(CriTranslate, AHostNetworkSandboxHasTheNodesNetworkNameAndResolver) {
  auto config = pod();
  config.set_host_network(true);
  auto s = to_cri_sandbox(config, "/logs", "/skiff");
  EXPECT_EQ(s.linux().security_context().namespace_options().network(), cri::NODE);
  EXPECT_EQ(s.hostname(), "") << "CRI refuses a hostname of its own on the node's network";
  EXPECT_FALSE(s.has_dns_config());
}

rt::CreateContainerRequest container() {
  rt::CreateContainerRequest r;
  r.set_sandbox_id("sb");
  *r.mutable_sandbox_config() = pod();
  auto* c = r.mutable_config();
  c->set_name("app");
  c->set_image("skiff/busybox:1");
  c->add_command("sh");
  c->add_args("-c");
  c->set_attempt(2);
  c->set_working_dir("/tmp");
  auto* env = c->add_env();
  env->set_key("A");
  env->set_value("1");
  auto* mount = c->add_mounts();
  mount->set_container_path("/data");
  mount->set_host_path("/srv/data");
  mount->set_read_only(true);
  return r;
}

TEST(CriTranslate, AContainerKeepsItsCommandEnvMountsAndLogPath) {
  auto c = to_cri_container(container());
  EXPECT_EQ(c.metadata().name(), "app");
  EXPECT_EQ(c.metadata().attempt(), 2u);
  EXPECT_EQ(c.image().image(), "skiff/busybox:1");
  EXPECT_EQ(c.command(0), "sh");
  EXPECT_EQ(c.args(0), "-c");
  EXPECT_EQ(c.working_dir(), "/tmp");
  EXPECT_EQ(c.envs(0).key(), "A");
  EXPECT_TRUE(c.mounts(0).readonly());
  EXPECT_EQ(c.log_path(), "app/2.log");
  EXPECT_EQ(c.labels().at(label::kContainerName), "app");
  EXPECT_EQ(c.labels().at(label::kContainerAttempt), "2");
  EXPECT_EQ(c.labels().at(label::kSandboxId), "sb");
  EXPECT_EQ(c.linux().security_context().namespace_options().pid(), cri::CONTAINER);
}

// kubectl debug --copy-to shares the pod's processes; kubectl debug node/… takes the node's.
TEST(CriTranslate, PidAndIpcNamespacesFollowTheSpec) {
  auto shared = pod();
  shared.set_share_process_namespace(true);
  EXPECT_EQ(to_cri_sandbox(shared, "/logs", "/skiff").linux().security_context().namespace_options().pid(), cri::POD);
  auto r = container();
  *r.mutable_sandbox_config() = shared;
  EXPECT_EQ(to_cri_container(r).linux().security_context().namespace_options().pid(), cri::POD);
  auto node = pod();
  node.set_host_pid(true);
  node.set_host_ipc(true);
  auto sandbox = to_cri_sandbox(node, "/logs", "/skiff");
  const auto& ns = sandbox.linux().security_context().namespace_options();
  EXPECT_EQ(ns.pid(), cri::NODE);
  EXPECT_EQ(ns.ipc(), cri::NODE);
  *r.mutable_sandbox_config() = node;
  EXPECT_EQ(to_cri_container(r).linux().security_context().namespace_options().pid(), cri::NODE);
  EXPECT_EQ(to_cri_container(r).linux().security_context().namespace_options().ipc(), cri::NODE);
}

// An ephemeral container (kubectl debug --target) joins its target's PID namespace.
TEST(CriTranslate, ATargetContainerIsCrisTargetNamespace) {
  auto r = container();
  r.mutable_config()->set_target_container_id("target-1");
  auto c = to_cri_container(r);
  const auto& ns = c.linux().security_context().namespace_options();
  EXPECT_EQ(ns.pid(), cri::TARGET);
  EXPECT_EQ(ns.target_id(), "target-1");
  EXPECT_EQ(ns.network(), cri::POD);
}

TEST(CriTranslate, LimitsBecomeCfsQuotaSharesAndMemory) {
  auto r = container();
  r.mutable_config()->set_cpu_limit_millis(500);
  r.mutable_config()->set_cpu_request_millis(250);
  r.mutable_config()->set_memory_limit_bytes(64 << 20);
  auto res = to_cri_container(r).linux().resources();
  EXPECT_EQ(res.cpu_period(), 100000);
  EXPECT_EQ(res.cpu_quota(), 50000);
  EXPECT_EQ(res.cpu_shares(), 256);
  EXPECT_EQ(res.memory_limit_in_bytes(), 64 << 20);
  EXPECT_EQ(res.oom_score_adj(), 0) << "not best effort: as low as root may set here";
}

TEST(CriTranslate, OomScoreAdjIsNeverNegative) {
  EXPECT_EQ(clamp_oom_score_adj(-998), 0);
  EXPECT_EQ(clamp_oom_score_adj(-1), 0);
  EXPECT_EQ(clamp_oom_score_adj(500), 500);
  EXPECT_EQ(clamp_oom_score_adj(2000), 1000);
  EXPECT_EQ(to_cri_container(container()).linux().resources().oom_score_adj(), 1000) << "best effort";
}

TEST(CriTranslate, TheSecurityContextGoesIntoCrisWithCapabilitiesWithoutTheirPrefix) {
  auto r = container();
  auto* c = r.mutable_config();
  c->add_capabilities_drop("all");
  c->add_capabilities_add("CAP_NET_ADMIN");
  c->add_capabilities_add("sys_time");
  c->add_capabilities_drop("CHOWN");
  c->set_read_only_root(true);
  c->set_no_new_privileges(true);
  c->set_run_as_user(1000);
  c->set_run_as_group(2000);
  auto sc = to_cri_container(r).linux().security_context();
  ASSERT_TRUE(sc.has_capabilities());
  EXPECT_EQ(std::vector<std::string>(sc.capabilities().add_capabilities().begin(), sc.capabilities().add_capabilities().end()),
            (std::vector<std::string>{"NET_ADMIN", "SYS_TIME"}))
      << "containerd puts CAP_ before each name itself";
  EXPECT_EQ(std::vector<std::string>(sc.capabilities().drop_capabilities().begin(), sc.capabilities().drop_capabilities().end()),
            (std::vector<std::string>{"ALL", "CHOWN"}));
  EXPECT_TRUE(sc.readonly_rootfs());
  EXPECT_TRUE(sc.no_new_privs());
  EXPECT_FALSE(sc.privileged());
  ASSERT_TRUE(sc.has_run_as_user());
  EXPECT_EQ(sc.run_as_user().value(), 1000);
  ASSERT_TRUE(sc.has_run_as_group());
  EXPECT_EQ(sc.run_as_group().value(), 2000);
  EXPECT_EQ(sc.namespace_options().network(), cri::POD) << "the pod's namespaces still shared";
  EXPECT_FALSE(needs_image_user(r.config()));
}

TEST(CriTranslate, AnEmptySecurityContextLeavesContainerdsDefaults) {
  auto sc = to_cri_container(container()).linux().security_context();
  EXPECT_FALSE(sc.has_capabilities()) << "containerd's default set";
  EXPECT_FALSE(sc.has_run_as_user()) << "the image's user";
  EXPECT_FALSE(sc.has_run_as_group());
  EXPECT_FALSE(sc.readonly_rootfs());
  EXPECT_FALSE(sc.no_new_privs());
  EXPECT_FALSE(to_cri_sandbox_of(container(), "/logs", "/skiff").linux().security_context().privileged());
}

TEST(CriTranslate, AnUnknownCapabilityIsRefusedByName) {
  auto r = container();
  r.mutable_config()->add_capabilities_add("FLY");
  try {
    to_cri_container(r);
    ADD_FAILURE() << "translated an unknown capability";
  } catch (const skiff::sdk::Error& e) {
    EXPECT_EQ(e.status().code, 400);
    EXPECT_NE(e.status().message.find("FLY"), std::string::npos) << e.status().message;
    EXPECT_NE(e.status().message.find("app"), std::string::npos) << "names the container: " << e.status().message;
  }
}

TEST(CriTranslate, APrivilegedContainerGoesWithAPrivilegedSandboxConfig) {
  auto r = container();
  r.mutable_config()->set_privileged(true);
  EXPECT_TRUE(to_cri_container(r).linux().security_context().privileged());
  auto sandbox = to_cri_sandbox_of(r, "/logs", "/skiff");
  EXPECT_TRUE(sandbox.linux().security_context().privileged()) << "containerd refuses it in an unprivileged one";
  EXPECT_EQ(sandbox.metadata().uid(), "uid-1") << "otherwise the pod's own";
  EXPECT_EQ(sandbox.linux().security_context().namespace_options().network(), cri::POD);
}

TEST(CriTranslate, AGroupWithoutAUserTakesTheImagesUser) {
  auto r = container();
  r.mutable_config()->set_run_as_group(2000);
  ASSERT_TRUE(needs_image_user(r.config()));
  cri::Image named;
  named.set_username("nobody");
  auto by_name = to_cri_container(r);
  take_image_user(by_name, named);
  EXPECT_EQ(by_name.linux().security_context().run_as_username(), "nobody");
  EXPECT_FALSE(by_name.linux().security_context().has_run_as_user());
  EXPECT_EQ(by_name.linux().security_context().run_as_group().value(), 2000);

  cri::Image numbered;
  numbered.mutable_uid()->set_value(1000);
  auto by_uid = to_cri_container(r);
  take_image_user(by_uid, numbered);
  EXPECT_EQ(by_uid.linux().security_context().run_as_user().value(), 1000);

  auto as_root = to_cri_container(r);
  take_image_user(as_root, cri::Image{});
  ASSERT_TRUE(as_root.linux().security_context().has_run_as_user()) << "an image without a user runs as root";
  EXPECT_EQ(as_root.linux().security_context().run_as_user().value(), 0);
}

TEST(CriTranslate, StatusesComeBackInTheContractsTerms) {
  cri::ContainerStatus s;
  s.set_id("c1");
  s.mutable_metadata()->set_name("app");
  s.set_state(cri::CONTAINER_EXITED);
  s.set_created_at(1'700'000'000'000'000'000);
  s.set_started_at(1'700'000'001'000'000'000);
  s.set_finished_at(1'700'000'002'500'000'000);
  s.set_exit_code(3);
  s.mutable_image()->set_image("docker.io/skiff/busybox:1");
  s.set_image_ref("sha256:abc");
  (*s.mutable_labels())[label::kSandboxId] = "sb";
  auto out = from_cri(s);
  EXPECT_EQ(out.state(), "EXITED");
  EXPECT_EQ(out.reason(), "Error") << "containerd left it empty: derived from the exit code";
  EXPECT_EQ(out.exit_code(), 3);
  EXPECT_EQ(out.name(), "app");
  EXPECT_EQ(out.sandbox_id(), "sb");
  EXPECT_EQ(out.created_at(), "2023-11-14T22:13:20Z");
  EXPECT_EQ(out.finished_at(), "2023-11-14T22:13:22Z");
  s.set_reason("OOMKilled");
  EXPECT_EQ(from_cri(s).reason(), "OOMKilled");
  s.set_state(cri::CONTAINER_RUNNING);
  s.set_finished_at(0);
  EXPECT_EQ(from_cri(s).finished_at(), "");
  EXPECT_EQ(from_cri(s).reason(), "");
}

TEST(CriTranslate, SandboxStatusCarriesItsIp) {
  cri::PodSandboxStatus s;
  s.set_id("sb");
  s.set_state(cri::SANDBOX_NOTREADY);
  s.mutable_network()->set_ip("10.88.0.7");
  auto out = from_cri(s);
  EXPECT_EQ(out.state(), "NOTREADY");
  EXPECT_EQ(out.ip(), "10.88.0.7");
}

}  // namespace
