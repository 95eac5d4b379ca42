// Defaulting per kind: exactly what Kubernetes' SetDefaults_* fill in, and nothing it leaves alone.
#include <gtest/gtest.h>

#include "defaults.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"
#include "skiff/api/networking/v1/networking.pb.h"

namespace {

using namespace skiff;
namespace core = api::core::v1;
namespace apps = api::apps::v1;

core::Container container(const std::string& image) {
  core::Container c;
  c.set_name("c");
  c.set_image(image);
  return c;
}

std::string pull_policy(const std::string& image) {
  core::Pod pod;
  *pod.mutable_spec()->add_containers() = container(image);
  apiserver::apply_defaults(pod);
  return pod.spec().containers(0).image_pull_policy();
}

TEST(Defaults, PodSpec) {
  core::Pod pod;
  *pod.mutable_spec()->add_containers() = container("nginx:1.25");
  apiserver::apply_defaults(pod);
  const auto& spec = pod.spec();
  EXPECT_EQ(spec.restart_policy(), "Always");
  EXPECT_EQ(spec.termination_grace_period_seconds(), 30);
  EXPECT_EQ(spec.dns_policy(), "ClusterFirst");
  EXPECT_EQ(spec.scheduler_name(), "default-scheduler");
  const auto& c = spec.containers(0);
  EXPECT_EQ(c.termination_message_path(), "/dev/termination-log");
  EXPECT_EQ(c.termination_message_policy(), "File");
  EXPECT_FALSE(c.has_resources()) << "no resources stay no resources";
}

TEST(Defaults, PodSpecFieldsClientsDereference) {
  // kubectl debug reads these without checking: SetDefaults_PodSpec fills them for pods and templates.
  core::Pod pod;
  *pod.mutable_spec()->add_containers() = container("nginx:1.25");
  apiserver::apply_defaults(pod);
  EXPECT_TRUE(pod.spec().has_security_context()) << "securityContext: {}";
  EXPECT_TRUE(pod.spec().has_enable_service_links() && pod.spec().enable_service_links());
  apps::ReplicaSet rs;
  apiserver::apply_defaults(rs);
  EXPECT_TRUE(rs.spec().template_().spec().has_security_context());
  EXPECT_TRUE(rs.spec().template_().spec().enable_service_links());
  EXPECT_TRUE(rs.spec().template_().spec().tolerations().empty()) << "admission adds tolerations to pods only";
  core::Pod off;
  off.mutable_spec()->set_enable_service_links(false);
  apiserver::apply_defaults(off);
  EXPECT_FALSE(off.spec().enable_service_links()) << "an explicit false stays";
}

TEST(Defaults, AdmissionGivesAPodItsAccountPriorityAndTolerations) {
  core::Pod pod;
  apiserver::admit_pod(pod, 300);
  const auto& spec = pod.spec();
  EXPECT_EQ(spec.service_account_name(), "default");
  EXPECT_EQ(spec.service_account(), "default");
  EXPECT_TRUE(spec.has_priority());
  EXPECT_EQ(spec.priority(), 0);
  EXPECT_EQ(spec.preemption_policy(), "PreemptLowerPriority");
  ASSERT_EQ(spec.tolerations_size(), 2);
  EXPECT_EQ(spec.tolerations(0).key(), "node.kubernetes.io/not-ready");
  EXPECT_EQ(spec.tolerations(1).key(), "node.kubernetes.io/unreachable");
  for (const auto& t : spec.tolerations()) {
    EXPECT_EQ(t.operator_(), "Exists");
    EXPECT_EQ(t.effect(), "NoExecute");
    EXPECT_EQ(t.toleration_seconds(), 300);
  }
}

TEST(Defaults, AdmissionKeepsWhatThePodSays) {
  core::Pod pod;
  pod.mutable_spec()->set_service_account("builder");  // the deprecated name alone
  auto* own = pod.mutable_spec()->add_tolerations();
  own->set_key("node.kubernetes.io/unreachable");
  own->set_operator_("Exists");
  own->set_effect("NoExecute");
  own->set_toleration_seconds(5);
  apiserver::admit_pod(pod, 300);
  EXPECT_EQ(pod.spec().service_account_name(), "builder");
  ASSERT_EQ(pod.spec().tolerations_size(), 2) << "only the missing not-ready toleration is added";
  EXPECT_EQ(pod.spec().tolerations(0).toleration_seconds(), 5);
  EXPECT_EQ(pod.spec().tolerations(1).key(), "node.kubernetes.io/not-ready");
  core::Pod everything;
  auto* all = everything.mutable_spec()->add_tolerations();
  all->set_operator_("Exists");
  apiserver::admit_pod(everything, 300);
  EXPECT_EQ(everything.spec().tolerations_size(), 1) << "a pod tolerating every taint needs no more";
}

TEST(Defaults, GivenValuesStay) {
  core::Pod pod;
  pod.mutable_spec()->set_restart_policy("Never");
  pod.mutable_spec()->set_termination_grace_period_seconds(0);
  pod.mutable_spec()->set_dns_policy("Default");
  auto c = container("nginx");
  c.set_image_pull_policy("Never");
  *pod.mutable_spec()->add_containers() = c;
  apiserver::apply_defaults(pod);
  EXPECT_EQ(pod.spec().restart_policy(), "Never");
  EXPECT_EQ(pod.spec().termination_grace_period_seconds(), 0) << "an explicit 0 is not unset";
  EXPECT_EQ(pod.spec().dns_policy(), "Default");
  EXPECT_EQ(pod.spec().containers(0).image_pull_policy(), "Never");
}

TEST(Defaults, PullPolicyFollowsTheTag) {
  EXPECT_EQ(pull_policy("nginx"), "Always");
  EXPECT_EQ(pull_policy("nginx:latest"), "Always");
  EXPECT_EQ(pull_policy("nginx:1.25"), "IfNotPresent");
  EXPECT_EQ(pull_policy("localhost:5000/app"), "Always") << "a registry port is not a tag";
  EXPECT_EQ(pull_policy("localhost:5000/app:v2"), "IfNotPresent");
  EXPECT_EQ(pull_policy("nginx@sha256:0123456789abcdef"), "IfNotPresent");
}

TEST(Defaults, PortsProbesAndVolumes) {
  core::Pod pod;
  auto c = container("app:1");
  c.add_ports()->set_container_port(8080);
  c.mutable_readiness_probe()->mutable_http_get()->mutable_port()->set_int_val(8080);
  c.mutable_liveness_probe()->mutable_exec()->add_command("true");
  c.mutable_liveness_probe()->set_period_seconds(3);
  *pod.mutable_spec()->add_containers() = c;
  auto* secret = pod.mutable_spec()->add_volumes();
  secret->set_name("creds");
  secret->mutable_secret()->set_secret_name("creds");
  auto* config = pod.mutable_spec()->add_volumes();
  config->set_name("settings");
  config->mutable_config_map()->set_default_mode(256);
  apiserver::apply_defaults(pod);
  const auto& d = pod.spec().containers(0);
  EXPECT_EQ(d.ports(0).protocol(), "TCP");
  const auto& readiness = d.readiness_probe();
  EXPECT_EQ(readiness.timeout_seconds(), 1);
  EXPECT_EQ(readiness.period_seconds(), 10);
  EXPECT_EQ(readiness.success_threshold(), 1);
  EXPECT_EQ(readiness.failure_threshold(), 3);
  EXPECT_EQ(readiness.http_get().path(), "/");
  EXPECT_EQ(readiness.http_get().scheme(), "HTTP");
  EXPECT_EQ(d.liveness_probe().period_seconds(), 3);
  EXPECT_EQ(pod.spec().volumes(0).secret().default_mode(), 420);
  EXPECT_EQ(pod.spec().volumes(1).config_map().default_mode(), 256);
}

TEST(Defaults, APodsRequestsDefaultToItsLimits) {
  core::Pod pod;
  auto c = container("app:1");
  (*c.mutable_resources()->mutable_limits())["cpu"] = "500m";
  (*c.mutable_resources()->mutable_limits())["memory"] = "128Mi";
  (*c.mutable_resources()->mutable_requests())["memory"] = "64Mi";
  *pod.mutable_spec()->add_containers() = c;
  *pod.mutable_spec()->add_init_containers() = c;
  apiserver::apply_defaults(pod);
  for (const auto* d : {&pod.spec().containers(0), &pod.spec().init_containers(0)}) {
    EXPECT_EQ(d->resources().requests().at("cpu"), "500m");
    EXPECT_EQ(d->resources().requests().at("memory"), "64Mi") << "a given request stays";
  }
}

TEST(Defaults, APodTemplateKeepsTheRequestsItWasGiven) {
  // Kubernetes copies limits into requests in SetDefaults_Pod only, "not a v1.PodTemplate".
  apps::Deployment d;
  auto c = container("app:1");
  (*c.mutable_resources()->mutable_limits())["cpu"] = "1";
  *d.mutable_spec()->mutable_template_()->mutable_spec()->add_containers() = c;
  apiserver::apply_defaults(d);
  EXPECT_TRUE(d.spec().template_().spec().containers(0).resources().requests().empty());
  EXPECT_EQ(d.spec().template_().spec().restart_policy(), "Always") << "the rest of the pod spec is defaulted";
}

TEST(Defaults, Deployment) {
  apps::Deployment d;
  apiserver::apply_defaults(d);
  EXPECT_EQ(d.spec().replicas(), 1);
  EXPECT_EQ(d.spec().strategy().type(), "RollingUpdate");
  EXPECT_EQ(d.spec().strategy().rolling_update().max_surge().str_val(), "25%");
  EXPECT_EQ(d.spec().strategy().rolling_update().max_unavailable().str_val(), "25%");
  EXPECT_EQ(d.spec().revision_history_limit(), 10);
  EXPECT_EQ(d.spec().progress_deadline_seconds(), 600);
  apps::Deployment zero;
  zero.mutable_spec()->set_replicas(0);
  zero.mutable_spec()->mutable_strategy()->set_type("Recreate");
  apiserver::apply_defaults(zero);
  EXPECT_EQ(zero.spec().replicas(), 0);
  EXPECT_FALSE(zero.spec().strategy().has_rolling_update()) << "Recreate has no rolling update to default";
  apps::ReplicaSet rs;
  apiserver::apply_defaults(rs);
  EXPECT_EQ(rs.spec().replicas(), 1);
}

TEST(Defaults, Service) {
  core::Service svc;
  auto* plain = svc.mutable_spec()->add_ports();
  plain->set_port(80);
  auto* named = svc.mutable_spec()->add_ports();
  named->set_port(443);
  named->mutable_target_port()->set_type(1);  // an empty name is no target either
  auto* given = svc.mutable_spec()->add_ports();
  given->set_port(53);
  given->set_protocol("UDP");
  given->mutable_target_port()->set_int_val(5353);
  apiserver::apply_defaults(svc);
  const auto& spec = svc.spec();
  EXPECT_EQ(spec.type(), "ClusterIP");
  EXPECT_EQ(spec.session_affinity(), "None");
  EXPECT_EQ(spec.ports(0).protocol(), "TCP");
  EXPECT_EQ(spec.ports(0).target_port().int_val(), 80);
  EXPECT_EQ(spec.ports(1).target_port().type(), 0);
  EXPECT_EQ(spec.ports(1).target_port().int_val(), 443);
  EXPECT_EQ(spec.ports(2).protocol(), "UDP");
  EXPECT_EQ(spec.ports(2).target_port().int_val(), 5353);
  EXPECT_EQ(spec.internal_traffic_policy(), "Cluster");
  EXPECT_TRUE(spec.external_traffic_policy().empty()) << "only NodePort and LoadBalancer Services have one";
  core::Service node_port;
  node_port.mutable_spec()->set_type("NodePort");
  apiserver::apply_defaults(node_port);
  EXPECT_EQ(node_port.spec().external_traffic_policy(), "Cluster");
  core::Service external;
  external.mutable_spec()->set_type("ExternalName");
  apiserver::apply_defaults(external);
  EXPECT_TRUE(external.spec().ip_families().empty());
  EXPECT_FALSE(external.spec().has_internal_traffic_policy());
}

TEST(Defaults, NamespaceAndSecret) {
  core::Namespace ns;
  apiserver::apply_defaults(ns);
  EXPECT_EQ(ns.status().phase(), "Active");
  core::Secret secret;
  (*secret.mutable_string_data())["user"] = "admin";
  (*secret.mutable_data())["pw"] = "x";
  apiserver::apply_defaults(secret);
  EXPECT_EQ(secret.type(), "Opaque");
  EXPECT_EQ(secret.data().at("user"), "admin") << "stringData is written into data";
  EXPECT_EQ(secret.data().at("pw"), "x");
  EXPECT_TRUE(secret.string_data().empty()) << "stringData is write-only";
}

// Kubernetes' v1 conversion of podCIDR/podCIDRs: the list is the truth, podCIDR its first entry.
TEST(Defaults, NodePodCidrAndPodCidrsAgree) {
  auto defaulted = [](const std::string& single, std::vector<std::string> list) {
    core::Node node;
    node.mutable_spec()->set_pod_cidr(single);
    for (const auto& c : list) node.mutable_spec()->add_pod_cidrs(c);
    apiserver::apply_defaults(node);
    std::string out = node.spec().pod_cidr() + " |";
    for (const auto& c : node.spec().pod_cidrs()) out += " " + c;
    return out;
  };
  EXPECT_EQ(defaulted("", {}), " |");
  EXPECT_EQ(defaulted("10.244.1.0/24", {}), "10.244.1.0/24 | 10.244.1.0/24");
  EXPECT_EQ(defaulted("", {"10.244.1.0/24", "fd00::/64"}), "10.244.1.0/24 | 10.244.1.0/24 fd00::/64");
  EXPECT_EQ(defaulted("10.244.1.0/24", {"10.244.1.0/24", "fd00::/64"}), "10.244.1.0/24 | 10.244.1.0/24 fd00::/64");
  EXPECT_EQ(defaulted("10.244.2.0/24", {"10.244.1.0/24"}), "10.244.2.0/24 | 10.244.2.0/24") << "podCIDR wins, as in Kubernetes";
}

TEST(Defaults, EndpointSlicePortsGetAnEmptyNameAndTcp) {
  api::discovery::v1::EndpointSlice slice;
  auto* bare = slice.add_ports();
  bare->set_port(80);
  auto* given = slice.add_ports();
  given->set_name("dns");
  given->set_protocol("UDP");
  apiserver::apply_defaults(slice);
  EXPECT_TRUE(slice.ports(0).has_name()) << "\"\" is set, so it is written as name: \"\"";
  EXPECT_EQ(slice.ports(0).name(), "");
  EXPECT_EQ(slice.ports(0).protocol(), "TCP");
  EXPECT_EQ(slice.ports(1).name(), "dns");
  EXPECT_EQ(slice.ports(1).protocol(), "UDP");
  EXPECT_FALSE(slice.ports(1).has_app_protocol());
}

TEST(Defaults, IngressClassParametersScopeDefaultsToCluster) {
  api::networking::v1::IngressClass ic;
  apiserver::apply_defaults(ic);
  EXPECT_FALSE(ic.spec().has_parameters()) << "no parameters, nothing to default";
  ic.mutable_spec()->mutable_parameters()->set_name("p");
  apiserver::apply_defaults(ic);
  EXPECT_EQ(ic.spec().parameters().scope(), "Cluster");
  ic.mutable_spec()->mutable_parameters()->set_scope("Namespace");
  apiserver::apply_defaults(ic);
  EXPECT_EQ(ic.spec().parameters().scope(), "Namespace") << "a given scope stays";
}

}  // namespace
