// PersistentVolumes, claims and StorageClasses as the real kubectl (1.20, 1.27, the machine's)
// shows them: api-resources, `kubectl apply`, the server's tables (the default class marked,
// a claim Bound by the controller-manager), and refusals that name the field.
#include <gtest/gtest.h>

#include <regex>

#include "api_node.hpp"
#include "kubectl_versions.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

const char* kObjects = R"(apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: manual
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-disk
spec:
  capacity:
    storage: 2Gi
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  storageClassName: manual
  hostPath:
    path: /tmp/skiff-kubectl-volumes
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
)";

std::string claim(const std::string& size, const std::string& mode) {
  return "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: bad\nspec:\n  accessModes: [" + mode +
         "]\n  resources:\n    requests:\n      storage: " + size + "\n";
}

class KubectlVolumes : public ::testing::TestWithParam<test::Kubectl> {
 protected:
  void SetUp() override {
    SKIFF_REQUIRE_KUBECTL(GetParam());
    node = std::make_unique<test::ApiNode>(
        "", "  - name: controller-manager\n    config: {leader_elect: false, controllers: [persistentvolume, volumeprotection]}\n");
  }
  void TearDown() override {
    if (HasFailure() && node) std::fprintf(stderr, "skiffd output:\n%s\n", node->node().output().c_str());
  }
  test::CommandResult run(std::vector<std::string> args, const std::string& stdin_text = "") {
    return node->kubectl(GetParam().binary, args, stdin_text, 90s);
  }
  std::string ok(std::vector<std::string> args, const std::string& stdin_text = "") {
    auto r = run(args, stdin_text);
    EXPECT_EQ(r.exit_code, 0) << "kubectl " << args[0] << ": " << r.both();
    return r.out;
  }
  std::string refused(std::vector<std::string> args, const std::string& stdin_text = "") {
    auto r = run(args, stdin_text);
    EXPECT_NE(r.exit_code, 0) << "kubectl " << args[0] << " succeeded: " << r.both();
    return r.both();
  }

  std::unique_ptr<test::ApiNode> node;
};

TEST_P(KubectlVolumes, ApplyListBindAndRefuse) {
  std::string core = ok({"api-resources", "--api-group="});
  EXPECT_TRUE(std::regex_search(core, std::regex(R"(\npersistentvolumeclaims\s+pvc\s+v1\s+true\s+PersistentVolumeClaim)"))) << core;
  EXPECT_TRUE(std::regex_search(core, std::regex(R"(\npersistentvolumes\s+pv\s+v1\s+false\s+PersistentVolume)"))) << core;
  std::string storage = ok({"api-resources", "--api-group=storage.k8s.io"});
  EXPECT_TRUE(std::regex_search(storage, std::regex(R"(\nstorageclasses\s+sc\s+storage.k8s.io/v1\s+false\s+StorageClass)")))
      << storage;

  ok({"apply", "-f", "-"}, kObjects);
  EXPECT_EQ(ok({"get", "pvc", "data", "-o", "jsonpath={.spec.storageClassName}"}), "manual") << "the default class";
  ASSERT_TRUE(test::wait_until([&] { return ok({"get", "pvc", "data", "-o", "jsonpath={.status.phase}"}) == "Bound"; }, 30s));

  std::string classes = ok({"get", "sc"});
  EXPECT_TRUE(std::regex_search(classes, std::regex(R"(^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE\n)")))
      << classes;
  EXPECT_TRUE(std::regex_search(classes, std::regex(R"(\nmanual \(default\)\s+kubernetes.io/no-provisioner\s+Delete\s+Immediate\s+false\s+)")))
      << classes;
  std::string volumes = ok({"get", "pv"});
  EXPECT_TRUE(std::regex_search(volumes, std::regex(R"(^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+)")))
      << volumes;
  EXPECT_TRUE(std::regex_search(volumes, std::regex(R"(\npv-disk\s+2Gi\s+RWO,ROX\s+Retain\s+Bound\s+default/data\s+manual\s+)")))
      << volumes;
  std::string claims = ok({"get", "pvc"});
  EXPECT_TRUE(std::regex_search(claims, std::regex(R"(^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+)")))
      << claims;
  EXPECT_TRUE(std::regex_search(claims, std::regex(R"(\ndata\s+Bound\s+pv-disk\s+2Gi\s+RWO,ROX\s+manual\s+)"))) << claims;

  std::string negative = refused({"apply", "-f", "-"}, claim("-1Gi", "ReadWriteOnce"));
  EXPECT_NE(negative.find("spec.resources[storage]: Invalid value: \"-1Gi\": must be greater than zero"), std::string::npos)
      << negative;
  std::string mode = refused({"apply", "-f", "-"}, claim("1Gi", "ReadWriteSometimes"));
  EXPECT_NE(mode.find("spec.accessModes: Unsupported value: \"ReadWriteSometimes\""), std::string::npos) << mode;

  ok({"delete", "pvc", "data"});
  ASSERT_TRUE(test::wait_until([&] { return ok({"get", "pv", "pv-disk", "-o", "jsonpath={.status.phase}"}) == "Released"; }, 30s));
  ok({"delete", "pv", "pv-disk"});
}

INSTANTIATE_TEST_SUITE_P(Clients, KubectlVolumes, test::all_kubectls(), test::kubectl_name);

}  // namespace
