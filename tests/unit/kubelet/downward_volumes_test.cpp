// downwardAPI and projected volumes made on the host from the pod and the API (a real
// apiserver on a real bus): their files, modes and read-only mounts, projected sources merged,
// what is refused, and the files written again only when the pod's labels or annotations change.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "container_spec.hpp"
#include "kubelet_harness.hpp"

namespace {

using namespace skiff;
using namespace skiff::test;
namespace core = api::core::v1;
namespace fs = std::filesystem;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return static_cast<int>(st.st_mode & 07777);
}

core::DownwardAPIVolumeFile* add_field_file(google::protobuf::RepeatedPtrField<core::DownwardAPIVolumeFile>* items,
                                            const std::string& path, const std::string& field_path) {
  auto* file = items->Add();
  file->set_path(path);
  file->mutable_field_ref()->set_api_version("v1");
  file->mutable_field_ref()->set_field_path(field_path);
  return file;
}

class KubeletDownwardVolumes : public SimClusterSuite {
 protected:
  static void SetUpTestSuite() {
    SimClusterSuite::SetUpTestSuite();
    core::ConfigMap config;
    config.mutable_metadata()->set_name("dv-settings");
    config.mutable_metadata()->set_namespace_("default");
    (*config.mutable_data())["app.conf"] = "port=80\n";
    (*config.mutable_binary_data())["blob"] = std::string("\x00\x01", 2);
    cluster_->api().create(config);
    core::Secret secret;
    secret.mutable_metadata()->set_name("dv-credentials");
    secret.mutable_metadata()->set_namespace_("default");
    (*secret.mutable_data())["password"] = "s3cret";
    cluster_->api().create(secret);
  }

  core::Pod pod(const std::string& name) {
    core::Pod p = pod_named(name);
    p.mutable_metadata()->set_namespace_("default");
    p.mutable_metadata()->set_uid(name + "-uid");
    (*p.mutable_metadata()->mutable_labels())["app"] = "web";
    (*p.mutable_metadata()->mutable_annotations())["build"] = "42";
    (*p.mutable_spec()->mutable_containers(0)->mutable_resources()->mutable_limits())["cpu"] = "500m";
    return p;
  }
  core::Volume& add_volume(core::Pod& p, const std::string& name, const std::string& mount_path) {
    auto* v = p.mutable_spec()->add_volumes();
    v->set_name(name);
    auto* mount = p.mutable_spec()->mutable_containers(0)->add_volume_mounts();
    mount->set_name(name);
    mount->set_mount_path(mount_path);
    return *v;
  }
  std::string volume(const std::string& name) const { return dir_.path() + "/volumes/" + name; }
  // The CreateContainerConfigError preparing the volumes gives, "" when none.
  std::string failure(const core::Pod& p) {
    try {
      kubelet::prepare_volumes(p, dir_.path(), cluster_->api(), node_);
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.status().reason, "CreateContainerConfigError");
      return e.status().message;
    }
    return "";
  }

  TempDir dir_;
  kubelet::DownwardContext node_{{kHostIp}, {}, {{"cpu", "4"}, {"memory", "8Gi"}}};
};

TEST_F(KubeletDownwardVolumes, ADownwardApiVolumeHoldsThePodsFieldsAndResources) {
  core::Pod p = pod("dv-fields");
  auto& downward = *add_volume(p, "podinfo", "/etc/podinfo").mutable_downward_api();
  downward.set_default_mode(0644);
  add_field_file(downward.mutable_items(), "labels", "metadata.labels");
  add_field_file(downward.mutable_items(), "annotations", "metadata.annotations");
  add_field_file(downward.mutable_items(), "name", "metadata.name")->set_mode(0400);
  add_field_file(downward.mutable_items(), "ids/uid", "metadata.uid");
  add_field_file(downward.mutable_items(), "app", "metadata.labels['app']");
  auto* cpu = downward.add_items();
  cpu->set_path("cpu_limit");
  cpu->mutable_resource_field_ref()->set_container_name("main");
  cpu->mutable_resource_field_ref()->set_resource("limits.cpu");
  cpu->mutable_resource_field_ref()->set_divisor("1m");
  auto* memory = downward.add_items();
  memory->set_path("mem_limit");
  memory->mutable_resource_field_ref()->set_container_name("main");
  memory->mutable_resource_field_ref()->set_resource("limits.memory");
  memory->mutable_resource_field_ref()->set_divisor("1Mi");

  ASSERT_EQ(failure(p), "");
  EXPECT_EQ(read(volume("podinfo") + "/labels"), "app=\"web\"");
  EXPECT_EQ(read(volume("podinfo") + "/annotations"), "build=\"42\"");
  EXPECT_EQ(read(volume("podinfo") + "/name"), "dv-fields");
  EXPECT_EQ(read(volume("podinfo") + "/ids/uid"), "dv-fields-uid");
  EXPECT_EQ(read(volume("podinfo") + "/app"), "web");
  EXPECT_EQ(read(volume("podinfo") + "/cpu_limit"), "500");
  EXPECT_EQ(read(volume("podinfo") + "/mem_limit"), "8192") << "no memory limit: the node's allocatable";
  EXPECT_EQ(mode_of(volume("podinfo") + "/name"), 0400);
  EXPECT_EQ(mode_of(volume("podinfo") + "/labels"), 0644);
  EXPECT_TRUE(fs::is_symlink(volume("podinfo") + "/..data"));

  auto config = kubelet::container_config(p, p.spec().containers(0), 0, dir_.path(), node_, cluster_->api());
  ASSERT_EQ(config.mounts_size(), 1);
  EXPECT_EQ(config.mounts(0).host_path(), volume("podinfo"));
  EXPECT_TRUE(config.mounts(0).read_only()) << "the kubelet's files: read-only in the container";
}

TEST_F(KubeletDownwardVolumes, AProjectedVolumeMergesItsSources) {
  core::Pod p = pod("dv-projected");
  auto& projected = *add_volume(p, "all", "/etc/all").mutable_projected();
  projected.set_default_mode(0440);
  auto& cm = *projected.add_sources()->mutable_config_map();
  cm.set_name("dv-settings");
  auto* item = cm.add_items();
  item->set_key("app.conf");
  item->set_path("config/app.conf");
  item->set_mode(0600);
  projected.add_sources()->mutable_secret()->set_name("dv-credentials");
  add_field_file(projected.add_sources()->mutable_downward_api()->mutable_items(), "podname", "metadata.name");
  auto& absent = *projected.add_sources()->mutable_config_map();
  absent.set_name("dv-nowhere");
  absent.set_optional(true);

  ASSERT_EQ(failure(p), "");
  EXPECT_EQ(read(volume("all") + "/config/app.conf"), "port=80\n");
  EXPECT_EQ(mode_of(volume("all") + "/config/app.conf"), 0600);
  EXPECT_EQ(read(volume("all") + "/password"), "s3cret");
  EXPECT_EQ(mode_of(volume("all") + "/password"), 0440) << "the projection's defaultMode";
  EXPECT_EQ(read(volume("all") + "/podname"), "dv-projected");
  EXPECT_FALSE(fs::exists(volume("all") + "/blob")) << "items pick the ConfigMap's keys";
}

TEST_F(KubeletDownwardVolumes, AConfigMapVolumeHasItsBinaryDataAndAMissingKeyIsAnError) {
  core::Pod p = pod("dv-keys");
  auto& cm = *add_volume(p, "config", "/etc/config").mutable_config_map();
  cm.set_name("dv-settings");
  ASSERT_EQ(failure(p), "");
  EXPECT_EQ(read(volume("config") + "/blob"), std::string("\x00\x01", 2));
  EXPECT_EQ(read(volume("config") + "/app.conf"), "port=80\n");

  auto* item = cm.add_items();
  item->set_key("nope");
  item->set_path("nope");
  EXPECT_EQ(failure(p), "configmap references non-existent config key: nope (volume config)");
  cm.set_optional(true);
  EXPECT_EQ(failure(p), "");
  EXPECT_FALSE(fs::exists(volume("config") + "/app.conf")) << "only the items' keys, and nope is missing";
}

TEST_F(KubeletDownwardVolumes, AServiceAccountTokenProjectionWithoutATokenSourceIsRefusedClearly) {
  core::Pod p = pod("dv-token");
  auto& token = *add_volume(p, "token", "/var/run/secrets/tokens").mutable_projected()->add_sources()->mutable_service_account_token();
  token.set_path("token");
  EXPECT_EQ(failure(p),
            "volume token: this kubelet cannot ask the API for service account tokens");
}

TEST_F(KubeletDownwardVolumes, FilesAreWrittenAgainOnlyWhenThePodsMetadataChanged) {
  core::Pod p = pod("dv-refresh");
  add_field_file(add_volume(p, "podinfo", "/etc/podinfo").mutable_downward_api()->mutable_items(), "labels",
                 "metadata.labels");
  add_field_file(add_volume(p, "mixed", "/etc/mixed").mutable_projected()->add_sources()->mutable_downward_api()->mutable_items(),
                 "annotations", "metadata.annotations");
  add_volume(p, "config", "/etc/config").mutable_config_map()->set_name("dv-settings");
  ASSERT_EQ(failure(p), "");
  auto config_version = fs::read_symlink(volume("config") + "/..data");

  EXPECT_FALSE(kubelet::refresh_pod_volumes(p, dir_.path(), cluster_->api(), node_)) << "nothing changed";
  (*p.mutable_metadata()->mutable_labels())["tier"] = "front";
  (*p.mutable_metadata()->mutable_annotations())["build"] = "43";
  EXPECT_TRUE(kubelet::refresh_pod_volumes(p, dir_.path(), cluster_->api(), node_));
  EXPECT_EQ(read(volume("podinfo") + "/labels"), "app=\"web\"\ntier=\"front\"");
  EXPECT_EQ(read(volume("mixed") + "/annotations"), "build=\"43\"");
  EXPECT_EQ(fs::read_symlink(volume("config") + "/..data"), config_version) << "a configMap volume is not the pod's";
}

}  // namespace
