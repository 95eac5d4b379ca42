// From a pod's spec to what the runtime runs: the container config (command, environment
// from every source, limits, mounts), the sandbox config, and the volumes on the host.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "container_spec.hpp"
#include "kubelet_harness.hpp"

namespace {

using namespace skiff;
using namespace skiff::test;
namespace core = api::core::v1;
namespace rt = runtime::v1;

constexpr const char* kPodIp = "10.244.0.7";

class KubeletContainerSpec : public SimClusterSuite {
 protected:
  static void SetUpTestSuite() {
    SimClusterSuite::SetUpTestSuite();
    core::ConfigMap config;
    config.mutable_metadata()->set_name("settings");
    config.mutable_metadata()->set_namespace_("default");
    (*config.mutable_data())["LEVEL"] = "debug";
    (*config.mutable_data())["MODE"] = "fast";
    (*config.mutable_data())["app.conf"] = "port=80\n";
    cluster_->api().create(config);
    core::Secret secret;
    secret.mutable_metadata()->set_name("credentials");
    secret.mutable_metadata()->set_namespace_("default");
    (*secret.mutable_data())["password"] = "s3cret";
    cluster_->api().create(secret);
  }

  rt::ContainerConfig config_of(const core::Pod& pod, int attempt = 0) {
    return kubelet::container_config(pod, pod.spec().containers(0), attempt, dir_.path(), node_, cluster_->api());
  }

  TempDir dir_;
  kubelet::DownwardContext node_{{kHostIp}, {kPodIp}, {{"cpu", "4"}, {"memory", "8Gi"}}};
};

core::Pod pod_with_uid(const std::string& name) {
  core::Pod pod = pod_named(name);
  pod.mutable_metadata()->set_namespace_("default");
  pod.mutable_metadata()->set_uid(name + "-uid");
  pod.mutable_spec()->set_node_name(kNode);
  return pod;
}

std::map<std::string, std::string> env_of(const rt::ContainerConfig& config) {
  std::map<std::string, std::string> out;
  for (const auto& kv : config.env()) out[kv.key()] = kv.value();
  return out;
}

core::EnvVar& add_env_from(core::Container& c, const std::string& name) {
  auto* env = c.add_env();
  env->set_name(name);
  return *env;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(KubeletContainerSpec, SecurityContextsMergeContainerOverPod) {
  core::Pod pod = pod_with_uid("secure");
  pod.mutable_spec()->mutable_security_context()->set_run_as_user(1000);
  pod.mutable_spec()->mutable_security_context()->set_run_as_group(1000);
  auto& sc = *pod.mutable_spec()->mutable_containers(0)->mutable_security_context();
  sc.set_run_as_group(2000);
  sc.mutable_capabilities()->add_add("NET_ADMIN");
  sc.mutable_capabilities()->add_drop("ALL");
  sc.set_read_only_root_filesystem(true);
  sc.set_allow_privilege_escalation(false);
  auto c = config_of(pod);
  EXPECT_EQ(c.run_as_user(), 1000) << "the pod's";
  EXPECT_EQ(c.run_as_group(), 2000) << "the container's wins";
  EXPECT_EQ(std::vector<std::string>(c.capabilities_add().begin(), c.capabilities_add().end()),
            std::vector<std::string>{"NET_ADMIN"});
  EXPECT_EQ(std::vector<std::string>(c.capabilities_drop().begin(), c.capabilities_drop().end()),
            std::vector<std::string>{"ALL"});
  EXPECT_TRUE(c.read_only_root());
  EXPECT_TRUE(c.no_new_privileges());
  EXPECT_FALSE(c.privileged());
  auto plain = config_of(pod_with_uid("plain"));
  EXPECT_FALSE(plain.has_run_as_user()) << "unset: the image's user";
  EXPECT_FALSE(plain.read_only_root());
}

TEST_F(KubeletContainerSpec, CommandArgsWorkingDirAttemptAndResources) {
  core::Pod pod = pod_with_uid("plain");
  auto& c = *pod.mutable_spec()->mutable_containers(0);
  c.add_command("sh");
  c.add_command("-c");
  c.add_args("echo hi");
  c.set_working_dir("/work");
  c.set_tty(true);
  (*c.mutable_resources()->mutable_limits())["cpu"] = "1500m";
  (*c.mutable_resources()->mutable_limits())["memory"] = "64Mi";
  (*c.mutable_resources()->mutable_requests())["cpu"] = "250m";
  auto config = config_of(pod, 3);
  EXPECT_EQ(config.name(), "main");
  EXPECT_EQ(config.image(), "busybox:1.36");
  ASSERT_EQ(config.command_size(), 2);
  EXPECT_EQ(config.command(1), "-c");
  ASSERT_EQ(config.args_size(), 1);
  EXPECT_EQ(config.args(0), "echo hi");
  EXPECT_EQ(config.working_dir(), "/work");
  EXPECT_EQ(config.attempt(), 3);
  EXPECT_TRUE(config.tty());
  EXPECT_FALSE(config.stdin());
  EXPECT_EQ(config.cpu_limit_millis(), 1500);
  EXPECT_EQ(config.memory_limit_bytes(), 64 << 20);
  EXPECT_EQ(config.cpu_request_millis(), 250);
  EXPECT_EQ(env_of(config).at("HOSTNAME"), "plain");
}

TEST_F(KubeletContainerSpec, EnvironmentFromValuesFieldsConfigMapsSecretsAndResources) {
  core::Pod pod = pod_with_uid("env");
  (*pod.mutable_metadata()->mutable_labels())["app"] = "web";
  pod.mutable_spec()->set_hostname("custom-host");
  auto& c = *pod.mutable_spec()->mutable_containers(0);
  (*c.mutable_resources()->mutable_limits())["cpu"] = "1500m";
  (*c.mutable_resources()->mutable_limits())["memory"] = "64Mi";
  auto* from = c.add_env_from();
  from->set_prefix("CFG_");
  from->mutable_config_map_ref()->set_name("settings");
  c.add_env_from()->mutable_secret_ref()->set_name("credentials");
  set_env(c, "CFG_MODE", "overridden");  // env wins over envFrom
  set_env(c, "PLAIN", "value");
  (*pod.mutable_metadata()->mutable_annotations())["build"] = "42";
  pod.mutable_spec()->set_service_account_name("builder");
  for (auto [name, path] : {std::pair{"POD_NAME", "metadata.name"}, {"POD_NAMESPACE", "metadata.namespace"},
                            {"POD_UID", "metadata.uid"}, {"NODE", "spec.nodeName"}, {"HOST_IP", "status.hostIP"},
                            {"HOST_IPS", "status.hostIPs"}, {"POD_IP", "status.podIP"}, {"POD_IPS", "status.podIPs"},
                            {"SA", "spec.serviceAccountName"}, {"APP", "metadata.labels['app']"},
                            {"BUILD", "metadata.annotations['build']"}})
    add_env_from(c, name).mutable_value_from()->mutable_field_ref()->set_field_path(path);
  auto& level = *add_env_from(c, "LEVEL").mutable_value_from()->mutable_config_map_key_ref();
  level.set_name("settings");
  level.set_key("LEVEL");
  auto& password = *add_env_from(c, "PASSWORD").mutable_value_from()->mutable_secret_key_ref();
  password.set_name("credentials");
  password.set_key("password");
  add_env_from(c, "CPUS").mutable_value_from()->mutable_resource_field_ref()->set_resource("limits.cpu");
  add_env_from(c, "MEMORY").mutable_value_from()->mutable_resource_field_ref()->set_resource("limits.memory");
  auto& millicores = *add_env_from(c, "MILLICORES").mutable_value_from()->mutable_resource_field_ref();
  millicores.set_resource("limits.cpu");
  millicores.set_divisor("1m");
  auto& mebibytes = *add_env_from(c, "MEBIBYTES").mutable_value_from()->mutable_resource_field_ref();
  mebibytes.set_resource("limits.memory");
  mebibytes.set_divisor("1Mi");
  auto* sidecar = pod.mutable_spec()->add_containers();
  sidecar->set_name("sidecar");
  auto& sidecar_memory = *add_env_from(c, "SIDECAR_MEMORY").mutable_value_from()->mutable_resource_field_ref();
  sidecar_memory.set_container_name("sidecar");
  sidecar_memory.set_resource("limits.memory");
  sidecar_memory.set_divisor("1Gi");

  auto env = env_of(config_of(pod));
  EXPECT_EQ(env.at("CFG_LEVEL"), "debug");
  EXPECT_EQ(env.at("CFG_MODE"), "overridden");
  EXPECT_EQ(env.at("CFG_app.conf"), "port=80\n");
  EXPECT_EQ(env.at("password"), "s3cret");
  EXPECT_EQ(env.at("PLAIN"), "value");
  EXPECT_EQ(env.at("POD_NAME"), "env");
  EXPECT_EQ(env.at("POD_NAMESPACE"), "default");
  EXPECT_EQ(env.at("POD_UID"), "env-uid");
  EXPECT_EQ(env.at("NODE"), kNode);
  EXPECT_EQ(env.at("HOST_IP"), kHostIp);
  EXPECT_EQ(env.at("HOST_IPS"), kHostIp);
  EXPECT_EQ(env.at("POD_IP"), kPodIp) << "the sandbox's address, before any status has it";
  EXPECT_EQ(env.at("POD_IPS"), kPodIp);
  EXPECT_EQ(env.at("SA"), "builder");
  EXPECT_EQ(env.at("APP"), "web");
  EXPECT_EQ(env.at("BUILD"), "42");
  EXPECT_EQ(env.at("LEVEL"), "debug");
  EXPECT_EQ(env.at("PASSWORD"), "s3cret");
  EXPECT_EQ(env.at("CPUS"), "2");  // whole cores, rounded up
  EXPECT_EQ(env.at("MEMORY"), std::to_string(64 << 20));
  EXPECT_EQ(env.at("MILLICORES"), "1500");
  EXPECT_EQ(env.at("MEBIBYTES"), "64");
  EXPECT_EQ(env.at("SIDECAR_MEMORY"), "8") << "no limit: the node's allocatable, 8Gi";
  EXPECT_EQ(env.at("HOSTNAME"), "custom-host");
}

TEST_F(KubeletContainerSpec, AMissingReferenceIsAConfigErrorUnlessOptional) {
  auto expect_config_error = [&](const core::Pod& pod, const std::string& message) {
    try {
      config_of(pod);
      ADD_FAILURE() << "no error for: " << message;
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.status().reason, "CreateContainerConfigError");
      EXPECT_EQ(e.status().message, message);
    }
  };
  core::Pod pod = pod_with_uid("missing");
  auto& ref = *add_env_from(*pod.mutable_spec()->mutable_containers(0), "X").mutable_value_from()->mutable_config_map_key_ref();
  ref.set_name("nowhere");
  ref.set_key("x");
  expect_config_error(pod, "configmap \"nowhere\" not found");
  ref.set_name("settings");
  expect_config_error(pod, "couldn't find key x in ConfigMap default/settings");
  ref.set_optional(true);
  EXPECT_EQ(env_of(config_of(pod)).count("X"), 0u) << "an optional reference that is missing sets nothing";

  core::Pod secret = pod_with_uid("missing-secret");
  secret.mutable_spec()->mutable_containers(0)->add_env_from()->mutable_secret_ref()->set_name("nowhere");
  expect_config_error(secret, "secret \"nowhere\" not found");

  core::Pod field = pod_with_uid("odd-field");
  add_env_from(*field.mutable_spec()->mutable_containers(0), "F").mutable_value_from()->mutable_field_ref()->set_field_path(
      "spec.nothing");
  expect_config_error(field, "unsupported fieldPath: spec.nothing");

  core::Pod mount = pod_with_uid("odd-mount");
  auto* m = mount.mutable_spec()->mutable_containers(0)->add_volume_mounts();
  m->set_name("undeclared");
  m->set_mount_path("/data");
  expect_config_error(mount, "volume mount undeclared names no volume of the pod");
}

TEST_F(KubeletContainerSpec, VolumesBecomeHostDirectoriesMountedWhereThePodAsks) {
  core::Pod pod = pod_with_uid("volumes");
  auto add_volume = [&](const std::string& name) {
    auto* v = pod.mutable_spec()->add_volumes();
    v->set_name(name);
    return v;
  };
  add_volume("scratch")->mutable_empty_dir();
  add_volume("host")->mutable_host_path()->set_path("/var/log");
  auto* config = add_volume("config")->mutable_config_map();
  config->set_name("settings");
  auto* item = config->add_items();
  item->set_key("app.conf");
  item->set_path("conf/app.conf");
  add_volume("secret")->mutable_secret()->set_secret_name("credentials");
  auto& c = *pod.mutable_spec()->mutable_containers(0);
  for (auto [name, path] : {std::pair{"scratch", "/scratch"}, {"host", "/host-logs"}, {"config", "/etc/app"},
                            {"secret", "/etc/secret"}}) {
    auto* mount = c.add_volume_mounts();
    mount->set_name(name);
    mount->set_mount_path(path);
  }

  kubelet::prepare_volumes(pod, dir_.path(), cluster_->api(), {});
  std::string volumes = dir_.path() + "/volumes/";
  EXPECT_TRUE(std::filesystem::is_directory(volumes + "scratch"));
  EXPECT_FALSE(std::filesystem::exists(volumes + "host")) << "a hostPath is the host's own directory";
  EXPECT_EQ(read(volumes + "config/conf/app.conf"), "port=80\n");
  EXPECT_FALSE(std::filesystem::exists(volumes + "config/LEVEL")) << "items pick the keys";
  EXPECT_EQ(read(volumes + "secret/password"), "s3cret");

  std::map<std::string, rt::Mount> mounts;
  auto config_with_mounts = config_of(pod);
  for (const auto& m : config_with_mounts.mounts()) mounts[m.container_path()] = m;
  ASSERT_EQ(mounts.size(), 4u);
  EXPECT_EQ(mounts["/scratch"].host_path(), volumes + "scratch");
  EXPECT_FALSE(mounts["/scratch"].read_only());
  EXPECT_EQ(mounts["/host-logs"].host_path(), "/var/log");
  EXPECT_EQ(mounts["/etc/app"].host_path(), volumes + "config");
  EXPECT_TRUE(mounts["/etc/app"].read_only()) << "configMap volumes are read-only";
  EXPECT_TRUE(mounts["/etc/secret"].read_only()) << "secret volumes are read-only";

  core::Pod missing = pod_with_uid("volume-missing");
  auto* absent = missing.mutable_spec()->add_volumes();
  absent->set_name("absent");
  absent->mutable_config_map()->set_name("nowhere");
  try {
    kubelet::prepare_volumes(missing, dir_.path() + "/other", cluster_->api(), {});
    ADD_FAILURE() << "a missing configMap volume was made";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().reason, "CreateContainerConfigError");
    EXPECT_EQ(e.status().message, "configmap \"nowhere\" not found (volume absent)");
  }
  absent->mutable_config_map()->set_optional(true);
  kubelet::prepare_volumes(missing, dir_.path() + "/other", cluster_->api(), {});
  EXPECT_TRUE(std::filesystem::is_directory(dir_.path() + "/other/volumes/absent"));
}

TEST_F(KubeletContainerSpec, TheSandboxConfigTiesThePodToItsNode) {
  core::Pod pod = pod_with_uid("sandbox");
  auto& c = *pod.mutable_spec()->mutable_containers(0);
  auto* published = c.add_ports();
  published->set_container_port(8080);
  published->set_host_port(30080);
  auto* internal = c.add_ports();
  internal->set_container_port(9090);
  auto* udp = c.add_ports();
  udp->set_container_port(53);
  udp->set_host_port(5353);
  udp->set_protocol("UDP");

  auto config = kubelet::sandbox_config(pod, kNode);
  EXPECT_EQ(config.pod_uid(), "sandbox-uid");
  EXPECT_EQ(config.pod_name(), "sandbox");
  EXPECT_EQ(config.namespace_(), "default");
  EXPECT_EQ(config.hostname(), "sandbox");
  EXPECT_FALSE(config.host_network());
  EXPECT_EQ(config.labels().at(kubelet::kLabelNode), kNode);
  ASSERT_EQ(config.port_mappings_size(), 2) << "only ports published on the host";
  EXPECT_EQ(config.port_mappings(0).protocol(), "TCP");
  EXPECT_EQ(config.port_mappings(0).host_port(), 30080);
  EXPECT_EQ(config.port_mappings(0).container_port(), 8080);
  EXPECT_EQ(config.port_mappings(1).protocol(), "UDP");

  pod.mutable_spec()->set_hostname("named");
  pod.mutable_spec()->set_host_network(true);
  config = kubelet::sandbox_config(pod, kNode);
  EXPECT_EQ(config.hostname(), "named");
  EXPECT_TRUE(config.host_network());
}

}  // namespace
