// Volumes with real pods on a real cluster (ctest label "cluster"), through the machine's
// kubectl: a claim of the default class (local, WaitForFirstConsumer) is made on the node its
// pod landed on and keeps its data for the next pod, which follows it there; writing past the
// size fails in the container with "No space left on device"; a claim in use waits for its pod
// before it goes; Delete removes the volume from the node, Retain keeps it Released; a claim
// nothing can satisfy stays Pending with an event; bad manifests are refused naming the field.
// Traffic stays in the lab's namespaces and bridge (LAN 10.213.12.0/24).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cluster_fixture.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kData = SKIFF_TEST_CLUSTER_DIR;
const std::string kLan = "10.213.12";
const std::string kCluster = "skv";

std::string claim_yaml(const std::string& name, const std::string& size, const std::string& extra = "") {
  return "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: " + name + ", labels: {test: volumes}}\n"
         "spec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: " + size + "}}\n" + extra;
}

// A pod left to the scheduler (no nodeSelector) with the claim on /data.
std::string pod_yaml(const std::string& name, const std::string& claim, const std::string& command) {
  return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", labels: {test: volumes}}\nspec:\n"
         "  terminationGracePeriodSeconds: 1\n"
         "  volumes: [{name: data, persistentVolumeClaim: {claimName: " + claim + "}}]\n"
         "  containers:\n  - name: main\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
         "    volumeMounts: [{name: data, mountPath: /data}]\n"
         "    command: [sh, -c, '" + command + "']\n";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Volumes : public test::ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_lab(test::ClusterLabOptions{kData, kLan, "skiff-lan-v", kCluster}); }
  static void TearDownTestSuite() { stop_lab(); }

  void TearDown() override {
    ClusterFixture::TearDown();
    if (!lab) return;
    kubectl({"delete", "pods", "-l", "test=volumes", "--wait=true"});
    kubectl({"delete", "pvc", "-l", "test=volumes", "--wait=true"});
  }

  static std::string claim_field(const std::string& claim, const std::string& path) {
    return jsonpath("pvc/" + claim, path);
  }
  static bool claim_phase(const std::string& claim, const std::string& phase) {
    return test::wait_until([&] { return kubectl({"get", "pvc", claim, "-o", "jsonpath={.status.phase}"}).out == phase; },
                            60s, 200ms);
  }
  static bool gone(const std::string& what) {
    return test::wait_until([&] {
      auto result = kubectl({"get", what});
      return result.exit_code != 0 && result.both().find("NotFound") != std::string::npos;
    }, 60s, 200ms);
  }
  static bool has_event(const std::string& object, const std::string& reason, const std::string& words) {
    return test::wait_until([&] {
      return kubectl({"get", "events", "--field-selector", "involvedObject.name=" + object + ",reason=" + reason, "-o",
                      "jsonpath={.items[*].message}"})
                 .out.find(words) != std::string::npos;
    }, 30s, 200ms);
  }
  // Where storage-local keeps a volume on its node: <node data dir>/volumes/<pv>.
  static std::string volume_dir(const std::string& node, const std::string& pv) {
    return data + "/" + node + "/volumes/" + pv;
  }
};

TEST_F(Volumes, AWaitForFirstConsumerClaimIsMadeOnThePodsNodeAndKeepsItsDataForTheNextPod) {
  ok({"apply", "-f", "-"}, claim_yaml("notes", "16Mi"));
  EXPECT_EQ(claim_field("notes", "{.spec.storageClassName}"), "local") << "the default class";
  ASSERT_TRUE(has_event("notes", "WaitForFirstConsumer", "waiting for first consumer"));
  EXPECT_EQ(claim_field("notes", "{.status.phase}"), "Pending") << "no volume before a pod needs it";

  ok({"apply", "-f", "-"}, pod_yaml("writer", "notes", "echo written-by-$(hostname) > /data/note && exec sleep 3600"));
  running("writer");
  std::string node = jsonpath("pod/writer", "{.spec.nodeName}");
  ASSERT_TRUE(claim_phase("notes", "Bound"));
  EXPECT_EQ(claim_field("notes", "{.metadata.annotations.volume\\.kubernetes\\.io/selected-node}"), node);
  std::string pv = claim_field("notes", "{.spec.volumeName}");
  EXPECT_EQ(jsonpath("pv/" + pv, "{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}"), node);
  EXPECT_EQ(jsonpath("pv/" + pv, "{.spec.local.path}"), volume_dir(node, pv));
  EXPECT_EQ(jsonpath("pv/" + pv, "{.spec.capacity.storage}"), "16Mi");
  std::string listed = ok({"get", "pvc,pv"});
  EXPECT_NE(listed.find("persistentvolume/" + pv), std::string::npos) << listed;
  EXPECT_EQ(read_file(volume_dir(node, pv) + "/note"), "written-by-writer\n") << "on " << node << "'s disk";

  ok({"delete", "pod", "writer", "--wait=true"});
  ok({"apply", "-f", "-"}, pod_yaml("reader", "notes", "exec sleep 3600"));
  running("reader");
  EXPECT_EQ(jsonpath("pod/reader", "{.spec.nodeName}"), node) << "the volume's node affinity brings the pod back";
  EXPECT_EQ(exec("reader", "cat /data/note"), "written-by-writer\n");
}

// What the README tells a user to run: examples/volume.yaml, the pod deleted and applied again.
TEST_F(Volumes, TheReadmesExampleKeepsItsLogAcrossPods) {
  const std::string example = std::string(SKIFF_SOURCE_DIR) + "/examples/volume.yaml";
  ok({"apply", "-f", example});
  running("notebook");
  ok({"delete", "pod", "notebook", "--wait=true"});
  ok({"apply", "-f", example});
  running("notebook");
  EXPECT_EQ(exec("notebook", "grep -c started /data/log"), "2\n") << exec("notebook", "cat /data/log");
  std::string listed = ok({"get", "pvc,pv"});
  EXPECT_NE(listed.find("persistentvolumeclaim/data"), std::string::npos) << listed;
  ok({"delete", "pod", "notebook", "--wait=true"});
  ok({"delete", "pvc", "data", "--wait=true"});
}

TEST_F(Volumes, WritingPastTheSizeFailsInTheContainerWithNoSpaceLeft) {
  ok({"apply", "-f", "-"}, claim_yaml("small", "20Mi"));
  ok({"apply", "-f", "-"}, pod_yaml("filler", "small", "exec sleep 3600"));
  running("filler");
  EXPECT_EQ(exec("filler", "dd if=/dev/zero of=/data/request bs=1M count=20 2>/dev/null; echo exit=$?"), "exit=0\n")
      << "the whole request is writable";
  std::string past = exec("filler", "dd if=/dev/zero of=/data/more bs=1M count=4 2>&1; echo exit=$?");
  EXPECT_NE(past.find("No space left on device"), std::string::npos) << past;
  EXPECT_NE(past.find("exit=1"), std::string::npos) << past;
}

TEST_F(Volumes, AClaimInUseGoesOnlyOnceItsPodIsGoneAndDeleteRemovesItsVolume) {
  ok({"apply", "-f", "-"}, claim_yaml("busy", "8Mi"));
  ok({"apply", "-f", "-"}, pod_yaml("user", "busy", "exec sleep 3600"));
  running("user");
  std::string node = jsonpath("pod/user", "{.spec.nodeName}");
  std::string pv = claim_field("busy", "{.spec.volumeName}");
  ASSERT_TRUE(fs::exists(volume_dir(node, pv))) << volume_dir(node, pv);
  EXPECT_EQ(jsonpath("pv/" + pv, "{.spec.persistentVolumeReclaimPolicy}"), "Delete");

  ok({"delete", "pvc", "busy", "--wait=false"});
  // The delete has returned: the claim is marked, its protection finalizer holds it.
  EXPECT_NE(claim_field("busy", "{.metadata.deletionTimestamp}"), "");
  EXPECT_EQ(claim_field("busy", "{.metadata.finalizers}"), "[\"kubernetes.io/pvc-protection\"]");
  std::string table = ok({"get", "pvc", "busy"});
  EXPECT_NE(table.find("Terminating"), std::string::npos) << table;
  EXPECT_EQ(exec("user", "echo still-here > /data/x && cat /data/x"), "still-here\n") << "the pod keeps its volume";
  EXPECT_EQ(claim_field("busy", "{.status.phase}"), "Bound");

  ok({"delete", "pod", "user", "--wait=true"});
  EXPECT_TRUE(gone("pvc/busy")) << "the claim goes with its last pod";
  EXPECT_TRUE(gone("pv/" + pv)) << "reclaim policy Delete";
  EXPECT_TRUE(test::wait_until([&] { return !fs::exists(volume_dir(node, pv)); }, 30s)) << volume_dir(node, pv);
  EXPECT_FALSE(fs::exists(volume_dir(node, pv) + ".img"));
}

TEST_F(Volumes, RetainKeepsTheVolumeAndItsDataReleased) {
  ok({"apply", "-f", "-"},
     "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: keep}\nprovisioner: skiff.io/local-storage\n"
     "volumeBindingMode: WaitForFirstConsumer\nreclaimPolicy: Retain\n");
  ok({"apply", "-f", "-"}, claim_yaml("kept", "8Mi", "  storageClassName: keep\n"));
  ok({"apply", "-f", "-"}, pod_yaml("keeper", "kept", "echo precious > /data/file && exec sleep 3600"));
  running("keeper");
  std::string node = jsonpath("pod/keeper", "{.spec.nodeName}");
  std::string pv = claim_field("kept", "{.spec.volumeName}");
  ok({"delete", "pod", "keeper", "--wait=true"});
  ok({"delete", "pvc", "kept", "--wait=true"});
  EXPECT_TRUE(test::wait_until([&] { return jsonpath("pv/" + pv, "{.status.phase}") == "Released"; }, 30s, 200ms));
  std::string listed = ok({"get", "pv", pv});
  EXPECT_NE(listed.find("Retain"), std::string::npos) << listed;
  EXPECT_NE(listed.find("Released"), std::string::npos) << listed;
  EXPECT_EQ(read_file(volume_dir(node, pv) + "/file"), "precious\n") << "the data stays on " << node;

  // What an administrator does with a retained volume: the PV, then the mount and the image.
  ok({"delete", "pv", pv, "--wait=true"});
  ok({"delete", "storageclass", "keep"});
  auto unmounted = test::run_command({"umount", volume_dir(node, pv)});
  EXPECT_EQ(unmounted.exit_code, 0) << unmounted.both();
  fs::remove_all(volume_dir(node, pv));
  fs::remove(volume_dir(node, pv) + ".img");
}

TEST_F(Volumes, AClaimNothingCanSatisfyStaysPendingWithAnEvent) {
  // No class and a selector that no volume matches.
  ok({"apply", "-f", "-"},
     claim_yaml("unmatched", "8Mi", "  storageClassName: \"\"\n  selector: {matchLabels: {tier: none}}\n"));
  EXPECT_TRUE(has_event("unmatched", "FailedBinding", "no persistent volumes available for this claim"));
  // An Immediate class nobody provisions for.
  ok({"apply", "-f", "-"},
     "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: nobody}\n"
     "provisioner: kubernetes.io/no-provisioner\nvolumeBindingMode: Immediate\n");
  ok({"apply", "-f", "-"}, claim_yaml("unprovisioned", "8Mi", "  storageClassName: nobody\n"));
  EXPECT_TRUE(has_event("unprovisioned", "ExternalProvisioning", "kubernetes.io/no-provisioner"));
  ok({"apply", "-f", "-"}, pod_yaml("hopeful", "unprovisioned", "exec sleep 3600"));
  EXPECT_TRUE(has_event("hopeful", "FailedScheduling", "pod has unbound immediate PersistentVolumeClaims"));
  EXPECT_EQ(claim_field("unmatched", "{.status.phase}"), "Pending");
  EXPECT_EQ(claim_field("unprovisioned", "{.status.phase}"), "Pending");
  EXPECT_EQ(jsonpath("pod/hopeful", "{.spec.nodeName}"), "");
  ok({"delete", "pod", "hopeful", "--wait=true"});
  ok({"delete", "pvc", "unprovisioned", "unmatched", "--wait=true"});
  ok({"delete", "storageclass", "nobody"});
}

TEST_F(Volumes, BadManifestsAreRefusedNamingTheField) {
  auto negative = kubectl({"apply", "-f", "-"}, claim_yaml("negative", "-1Gi"));
  EXPECT_NE(negative.exit_code, 0);
  EXPECT_NE(negative.both().find("spec.resources[storage]: Invalid value: \"-1Gi\": must be greater than zero"),
            std::string::npos)
      << negative.both();
  auto mode = kubectl({"apply", "-f", "-"},
                      "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: odd}\nspec:\n"
                      "  accessModes: [ReadWriteSometimes]\n  resources: {requests: {storage: 1Gi}}\n");
  EXPECT_NE(mode.exit_code, 0);
  EXPECT_NE(mode.both().find("spec.accessModes: Unsupported value: \"ReadWriteSometimes\""), std::string::npos)
      << mode.both();
  EXPECT_NE(kubectl({"get", "pvc", "negative"}).exit_code, 0);
  EXPECT_NE(kubectl({"get", "pvc", "odd"}).exit_code, 0);
}

}  // namespace
