// The downward API in the API: what defaulting fills in (apiVersion v1, defaultMode 0644) and
// what validation refuses — fieldRef paths, resources, divisors, downwardAPI and projected
// volumes — at Kubernetes' field paths, in Kubernetes' words.
#include <gtest/gtest.h>

#include "api_error.hpp"
#include "defaults.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "validation.hpp"
#include "validation_causes.hpp"

namespace {

using namespace skiff;
using namespace skiff::validation_testing;
namespace core = api::core::v1;

const std::string kEnvPaths =
    "supported values: \"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", "
    "\"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\"";
const std::string kVolumePaths =
    "supported values: \"metadata.annotations\", \"metadata.labels\", \"metadata.name\", \"metadata.namespace\", "
    "\"metadata.uid\"";
const std::string kResources =
    "supported values: \"limits.cpu\", \"limits.ephemeral-storage\", \"limits.memory\", \"requests.cpu\", "
    "\"requests.ephemeral-storage\", \"requests.memory\"";
const std::string kMemoryDivisors =
    "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource";
const std::string kModeHelp = "must be a number between 0 and 0777 (octal), both inclusive";

// A pod as the API sees it after defaulting: `edit` shapes its spec first.
template <class Edit>
core::Pod pod(Edit edit) {
  core::Pod p;
  name(p, "web");
  auto* c = p.mutable_spec()->add_containers();
  c->set_name("web");
  c->set_image("nginx:1.25");
  edit(*p.mutable_spec());
  apiserver::apply_defaults(p);
  return p;
}

core::EnvVarSource& env_from(core::PodSpec& spec, const std::string& name) {
  auto* env = spec.mutable_containers(0)->add_env();
  env->set_name(name);
  return *env->mutable_value_from();
}

core::Pod env_field(const std::string& path) {
  return pod([&](core::PodSpec& s) { env_from(s, "X").mutable_field_ref()->set_field_path(path); });
}

core::Pod env_resource(const std::string& resource, const std::string& divisor = "") {
  return pod([&](core::PodSpec& s) {
    auto& ref = *env_from(s, "X").mutable_resource_field_ref();
    ref.set_resource(resource);
    ref.set_divisor(divisor);
  });
}

core::DownwardAPIVolumeFile& downward_file(core::PodSpec& spec, const std::string& path) {
  auto* v = spec.add_volumes();
  v->set_name("podinfo");
  auto* file = v->mutable_downward_api()->add_items();
  file->set_path(path);
  return *file;
}

core::Pod volume_field(const std::string& field_path, const std::string& path = "f") {
  return pod([&](core::PodSpec& s) { downward_file(s, path).mutable_field_ref()->set_field_path(field_path); });
}

TEST(DownwardDefaults, FieldRefsReadV1AndFilesAre0644) {
  core::Pod p = pod([](core::PodSpec& s) {
    env_from(s, "NAME").mutable_field_ref()->set_field_path("metadata.name");
    downward_file(s, "labels").mutable_field_ref()->set_field_path("metadata.labels");
    auto* projected = s.add_volumes();
    projected->set_name("all");
    auto* file = projected->mutable_projected()->add_sources()->mutable_downward_api()->add_items();
    file->set_path("name");
    file->mutable_field_ref()->set_field_path("metadata.name");
  });
  EXPECT_EQ(p.spec().containers(0).env(0).value_from().field_ref().api_version(), "v1");
  EXPECT_EQ(p.spec().volumes(0).downward_api().items(0).field_ref().api_version(), "v1");
  EXPECT_EQ(p.spec().volumes(0).downward_api().default_mode(), 420);
  EXPECT_EQ(p.spec().volumes(1).projected().default_mode(), 420);
  EXPECT_EQ(p.spec().volumes(1).projected().sources(0).downward_api().items(0).field_ref().api_version(), "v1");
  EXPECT_EQ(causes(p), std::vector<std::string>{});
}

TEST(DownwardValidation, EveryEnvPathKubernetesOffersIsAccepted) {
  for (const char* path : {"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                           "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP",
                           "status.podIPs", "metadata.labels['app']", "metadata.annotations['example.com/Build']",
                           "spec.host"})
    EXPECT_EQ(causes(env_field(path)), std::vector<std::string>{}) << path;
}

TEST(DownwardValidation, EnvPathsKubernetesDoesNotOfferAreRefused) {
  const std::string at = "spec.containers[0].env[0].valueFrom.fieldRef";
  EXPECT_EQ(causes(env_field("metadata.labels")),
            std::vector<std::string>{at + ".fieldPath: Unsupported value: \"metadata.labels\": " + kEnvPaths});
  EXPECT_EQ(causes(env_field("status.phase")),
            std::vector<std::string>{at + ".fieldPath: Unsupported value: \"status.phase\": " + kEnvPaths});
  EXPECT_EQ(causes(env_field("spec.nothing")),
            std::vector<std::string>{at + ".fieldPath: Invalid value: \"spec.nothing\": error converting fieldPath: field "
                                          "label not supported: spec.nothing"});
  EXPECT_EQ(causes(env_field("metadata.name['x']")),
            std::vector<std::string>{at + ".fieldPath: Invalid value: \"metadata.name['x']\": error converting fieldPath: "
                                          "field label does not support subscript: metadata.name['x']"});
  auto bad_key = causes(env_field("metadata.labels['a b']"));
  ASSERT_EQ(bad_key.size(), 1u);
  EXPECT_EQ(bad_key[0].rfind(at + ": Invalid value: \"a b\": name part must consist of alphanumeric characters", 0), 0u)
      << bad_key[0];
  core::Pod v2 = env_field("metadata.name");
  v2.mutable_spec()->mutable_containers(0)->mutable_env(0)->mutable_value_from()->mutable_field_ref()->set_api_version("v2");
  EXPECT_EQ(causes(v2), std::vector<std::string>{at + ".fieldPath: Invalid value: \"metadata.name\": error converting "
                                                      "fieldPath: unsupported pod version: v2"});
  EXPECT_EQ(causes(env_field("")), std::vector<std::string>{at + ".fieldPath: Required value"});
}

TEST(DownwardValidation, EnvResourcesAndTheirDivisors) {
  const std::string at = "spec.containers[0].env[0].valueFrom.resourceFieldRef";
  for (auto [resource, divisor] : {std::pair{"limits.cpu", ""}, {"limits.cpu", "1m"}, {"requests.cpu", "1"},
                                   {"limits.cpu", "1000m"}, {"limits.cpu", "0"}, {"limits.memory", "1Mi"},
                                   {"limits.memory", "1024Ki"}, {"requests.memory", "1k"}, {"limits.memory", "1000"},
                                   {"limits.ephemeral-storage", "1Gi"}, {"limits.hugepages-2Mi", "1Mi"}})
    EXPECT_EQ(causes(env_resource(resource, divisor)), std::vector<std::string>{}) << resource << " / " << divisor;
  EXPECT_EQ(causes(env_resource("limits.gpu")),
            std::vector<std::string>{at + ".resource: Unsupported value: \"limits.gpu\": " + kResources});
  EXPECT_EQ(causes(env_resource("")), std::vector<std::string>{at + ".resource: Required value"});
  EXPECT_EQ(causes(env_resource("limits.cpu", "2")),
            std::vector<std::string>{at + ".divisor: Invalid value: \"limits.cpu\": only divisor's values 1m and 1 are "
                                          "supported with the cpu resource"});
  EXPECT_EQ(causes(env_resource("limits.cpu", "1e-3")).size(), 1u) << "1e-3 is written 1e-3, not 1m";
  EXPECT_EQ(causes(env_resource("limits.memory", "1m")),
            std::vector<std::string>{at + ".divisor: Invalid value: \"limits.memory\": " + kMemoryDivisors});
  EXPECT_EQ(causes(env_resource("limits.memory", "1024")).size(), 1u) << "1024 is not written 1Ki";
  EXPECT_EQ(causes(env_resource("limits.memory", "2Mi")).size(), 1u);
  EXPECT_EQ(causes(env_resource("limits.memory", "lots")),
            std::vector<std::string>{at + ".divisor: Invalid value: \"lots\": quantities must match the regular "
                                          "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"});
}

TEST(DownwardValidation, EnvSourcesOneAtATime) {
  const std::string at = "spec.containers[0].env[0].valueFrom";
  EXPECT_EQ(causes(pod([](core::PodSpec& s) { env_from(s, "X"); })),
            std::vector<std::string>{at + ": Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, "
                                          "`configMapKeyRef` or `secretKeyRef`"});
  EXPECT_EQ(causes(pod([](core::PodSpec& s) {
              auto& from = env_from(s, "X");
              from.mutable_field_ref()->set_field_path("metadata.name");
              from.mutable_resource_field_ref()->set_resource("limits.cpu");
            })),
            std::vector<std::string>{at + ": Invalid value: \"\": may not have more than one field specified at a time"});
  EXPECT_EQ(causes(pod([](core::PodSpec& s) {
              auto& ref = *env_from(s, "X").mutable_config_map_key_ref();
              ref.set_name("settings");
            })),
            std::vector<std::string>{at + ".configMapKeyRef.key: Required value"});
}

TEST(DownwardValidation, VolumeFilesKubernetesOffers) {
  for (const char* path : {"metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels",
                           "metadata.annotations", "metadata.labels['app']"})
    EXPECT_EQ(causes(volume_field(path)), std::vector<std::string>{}) << path;
  const std::string at = "spec.volumes[0].downwardAPI";  // Kubernetes names no item index here
  EXPECT_EQ(causes(volume_field("spec.nodeName")),
            std::vector<std::string>{at + ".fieldRef.fieldPath: Unsupported value: \"spec.nodeName\": " + kVolumePaths});
  EXPECT_EQ(causes(volume_field("metadata.name", "/abs")),
            std::vector<std::string>{at + ".path: Invalid value: \"/abs\": must be a relative path"});
  EXPECT_EQ(causes(volume_field("metadata.name", "a/../b")),
            std::vector<std::string>{at + ".path: Invalid value: \"a/../b\": must not contain '..'"});
  EXPECT_EQ(causes(volume_field("metadata.name", "..data")),
            std::vector<std::string>{at + ".path: Invalid value: \"..data\": must not start with '..'"});
  EXPECT_EQ(causes(volume_field("metadata.name", "")), std::vector<std::string>{at + ".path: Required value"});
}

TEST(DownwardValidation, VolumeFilesNeedOneReferenceAResourceNamesItsContainerModesAreBounded) {
  const std::string at = "spec.volumes[0].downwardAPI";
  EXPECT_EQ(causes(pod([](core::PodSpec& s) { downward_file(s, "f"); })),
            std::vector<std::string>{at + ": Required value: one of fieldRef and resourceFieldRef is required"});
  EXPECT_EQ(causes(pod([](core::PodSpec& s) {
              auto& f = downward_file(s, "f");
              f.mutable_field_ref()->set_field_path("metadata.name");
              f.mutable_resource_field_ref()->set_resource("limits.cpu");
            })),
            std::vector<std::string>{at + ": Invalid value: \"resource\": fieldRef and resourceFieldRef can not be "
                                          "specified simultaneously"});
  EXPECT_EQ(causes(pod([](core::PodSpec& s) { downward_file(s, "f").mutable_resource_field_ref()->set_resource("limits.cpu"); })),
            std::vector<std::string>{at + ".resourceFieldRef.containerName: Required value"});
  EXPECT_EQ(causes(pod([](core::PodSpec& s) {
              auto& ref = *downward_file(s, "f").mutable_resource_field_ref();
              ref.set_container_name("web");
              ref.set_resource("limits.memory");
              ref.set_divisor("1Mi");
            })),
            std::vector<std::string>{});
  EXPECT_EQ(causes(pod([](core::PodSpec& s) {
              auto& f = downward_file(s, "f");
              f.mutable_field_ref()->set_field_path("metadata.name");
              f.set_mode(01000);
              s.mutable_volumes(0)->mutable_downward_api()->set_default_mode(-1);
            })),
            (std::vector<std::string>{at + ".defaultMode: Invalid value: -1: " + kModeHelp,
                                      at + ".mode: Invalid value: 512: " + kModeHelp}));
}

TEST(DownwardValidation, AnInvalidVolumeCannotBeMounted) {
  core::Pod p = volume_field("spec.nodeName");
  auto* mount = p.mutable_spec()->mutable_containers(0)->add_volume_mounts();
  mount->set_name("podinfo");
  mount->set_mount_path("/etc/podinfo");
  auto all = causes(p);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1], "spec.containers[0].volumeMounts[0].name: Not found: \"podinfo\"");
}

TEST(DownwardValidation, OneSourcePerVolume) {
  EXPECT_EQ(causes(pod([](core::PodSpec& s) {
              downward_file(s, "f").mutable_field_ref()->set_field_path("metadata.name");
              s.mutable_volumes(0)->mutable_config_map()->set_name("settings");
            })),
            std::vector<std::string>{"spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type"});
  EXPECT_EQ(causes(pod([](core::PodSpec& s) {
              downward_file(s, "f").mutable_field_ref()->set_field_path("metadata.name");
              s.mutable_volumes(0)->mutable_empty_dir();
            })),
            std::vector<std::string>{"spec.volumes[0].downwarAPI: Forbidden: may not specify more than 1 volume type"})
      << "Kubernetes' own spelling";
}

core::VolumeProjection& add_source(core::PodSpec& spec) {
  if (spec.volumes_size() == 0) {
    auto* v = spec.add_volumes();
    v->set_name("all");
    v->mutable_projected();
  }
  return *spec.mutable_volumes(0)->mutable_projected()->add_sources();
}

TEST(DownwardValidation, ProjectedSourcesAreCheckedEachAtItsIndex) {
  const std::string at = "spec.volumes[0].projected";
  EXPECT_EQ(causes(pod([](core::PodSpec& s) {
              auto& cm = *add_source(s).mutable_config_map();
              cm.set_name("settings");
              auto* item = cm.add_items();
              item->set_key("a");
              item->set_path("shared");
              auto& secret = *add_source(s).mutable_secret();
              auto* again = secret.add_items();
              again->set_key("b");
              again->set_path("shared");
              auto* file = add_source(s).mutable_downward_api()->add_items();
              file->set_path("shared");
              file->mutable_field_ref()->set_field_path("spec.nodeName");
            })),
            (std::vector<std::string>{
                at + ".sources[1].secret.name: Required value",
                at + ": Invalid value: \"\": conflicting duplicate paths",
                at + ".sources[2].downwardAPI.fieldRef.fieldPath: Unsupported value: \"spec.nodeName\": " + kVolumePaths,
                at + ": Invalid value: \"shared\": conflicting duplicate paths"}));
  EXPECT_EQ(causes(pod([](core::PodSpec& s) {
              auto& both = add_source(s);
              both.mutable_config_map()->set_name("settings");
              both.mutable_secret()->set_name("credentials");
            })),
            std::vector<std::string>{at + ".sources[0]: Forbidden: may not specify more than 1 volume type"});
}

TEST(DownwardValidation, ServiceAccountTokenProjectionsNeedAPathAndALifetimeTheApiGrants) {
  const std::string at = "spec.volumes[0].projected.sources[0].serviceAccountToken";
  EXPECT_TRUE(causes(pod([](core::PodSpec& s) { add_source(s).mutable_service_account_token()->set_path("token"); })).empty());
  EXPECT_EQ(causes(pod([](core::PodSpec& s) { add_source(s).mutable_service_account_token()->set_expiration_seconds(3600); })),
            std::vector<std::string>{at + ".path: Required value"});
  EXPECT_EQ(causes(pod([](core::PodSpec& s) {
              auto* token = add_source(s).mutable_service_account_token();
              token->set_path("token");
              token->set_expiration_seconds(599);
            })),
            std::vector<std::string>{at + ".expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes"});
}

TEST(DownwardValidation, ConfigMapAndSecretVolumesNameTheirSourceAndItems) {
  EXPECT_EQ(causes(pod([](core::PodSpec& s) {
              auto* v = s.add_volumes();
              v->set_name("config");
              auto* item = v->mutable_config_map()->add_items();
              item->set_path("/etc/x");
              auto* secret = s.add_volumes();
              secret->set_name("secret");
              secret->mutable_secret();
            })),
            (std::vector<std::string>{"spec.volumes[0].configMap.name: Required value",
                                      "spec.volumes[0].configMap.items[0].key: Required value",
                                      "spec.volumes[0].configMap.items[0].path: Invalid value: \"/etc/x\": must be a "
                                      "relative path",
                                      "spec.volumes[1].secret.secretName: Required value"}));
}

}  // namespace
