// The downward API end to end on Docker with the real kubectl: a pod reads its own fields and
// resources in its environment (the pod IP from its first start) and in downwardAPI and
// projected volumes, whose files follow `kubectl label` and `kubectl annotate`; and the API
// refuses what Kubernetes refuses, in its words.
#include <gtest/gtest.h>

#include "kubelet_docker_fixture.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
using test::KubeletDocker;

const char* kDownwardPod = R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: downward-settings
data:
  mode: fast
---
apiVersion: v1
kind: Pod
metadata:
  name: downward
  labels: {app: downward, tier: front}
  annotations: {build: "42"}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: skiff/busybox:1
    imagePullPolicy: IfNotPresent
    command: [sleep, "3600"]
    resources:
      limits: {cpu: 500m, memory: 64Mi}
    env:
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
    - {name: POD_UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
    - {name: NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
    - {name: SERVICE_ACCOUNT, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: POD_IPS, valueFrom: {fieldRef: {fieldPath: status.podIPs}}}
    - {name: HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
    - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
    - {name: BUILD, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['build']"}}}
    - {name: CPU_MILLIS, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
    - {name: CPUS, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
    - {name: MEMORY_MIB, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
    volumeMounts:
    - {name: podinfo, mountPath: /etc/podinfo}
    - {name: all, mountPath: /etc/all}
  volumes:
  - name: podinfo
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
      - {path: cpu_limit, resourceFieldRef: {containerName: main, resource: limits.cpu, divisor: 1m}}
      - {path: secret/name, mode: 0400, fieldRef: {fieldPath: metadata.name}}
  - name: all
    projected:
      sources:
      - configMap: {name: downward-settings}
      - downwardAPI:
          items:
          - {path: podname, fieldRef: {fieldPath: metadata.name}}
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
)";

TEST_F(KubeletDocker, APodReadsItsOwnFieldsInItsEnvAndInVolumesThatFollowItsLabels) {
  ok({"apply", "-f", "-"}, kDownwardPod);
  ASSERT_TRUE(all_ready("app=downward", 1)) << ok({"describe", "pod", "downward"});
  Pod p = *pod("downward");
  ASSERT_FALSE(p.status().pod_ip().empty());

  // The image's busybox has no printenv: the shell prints the variable.
  auto env = [&](const std::string& name) { return ok({"exec", "downward", "--", "sh", "-c", "echo \"$" + name + "\""}); };
  EXPECT_EQ(env("POD_NAME"), "downward\n");
  EXPECT_EQ(env("POD_NAMESPACE"), "default\n");
  EXPECT_EQ(env("POD_UID"), p.metadata().uid() + "\n");
  EXPECT_EQ(env("NODE_NAME"), node_name + "\n");
  EXPECT_EQ(env("SERVICE_ACCOUNT"), p.spec().service_account_name() + "\n");
  EXPECT_EQ(env("POD_IP"), p.status().pod_ip() + "\n") << "the sandbox's address, set when the container was made";
  EXPECT_EQ(env("POD_IPS"), p.status().pod_ip() + "\n");
  EXPECT_EQ(env("HOST_IP"), p.status().host_ip() + "\n");
  EXPECT_EQ(env("APP"), "downward\n");
  EXPECT_EQ(env("BUILD"), "42\n");
  EXPECT_EQ(env("CPU_MILLIS"), "500\n");
  EXPECT_EQ(env("CPUS"), "1\n") << "half a core, rounded up";
  EXPECT_EQ(env("MEMORY_MIB"), "64\n");

  auto cat = [&](const std::string& path) { return kubectl({"exec", "downward", "--", "cat", path}).out; };
  EXPECT_EQ(cat("/etc/podinfo/labels"), "app=\"downward\"\ntier=\"front\"");
  // kubectl apply's own annotation is one of the pod's too, its JSON quoted as Go quotes it.
  EXPECT_EQ(cat("/etc/podinfo/annotations").rfind("build=\"42\"\nkubectl.kubernetes.io/last-applied-configuration="
                                                  "\"{\\\"apiVersion\\\":\\\"v1\\\",", 0),
            0u)
      << cat("/etc/podinfo/annotations");
  EXPECT_EQ(cat("/etc/podinfo/cpu_limit"), "500");
  EXPECT_EQ(cat("/etc/podinfo/secret/name"), "downward");
  EXPECT_EQ(ok({"exec", "downward", "--", "stat", "-L", "-c", "%a", "/etc/podinfo/secret/name"}), "400\n");
  EXPECT_EQ(cat("/etc/all/mode"), "fast");
  EXPECT_EQ(cat("/etc/all/podname"), "downward");
  EXPECT_NE(ok({"exec", "downward", "--", "readlink", "/etc/podinfo/..data"}), "") << "Kubernetes' atomic layout";
  EXPECT_NE(kubectl({"exec", "downward", "--", "touch", "/etc/podinfo/new"}).exit_code, 0) << "mounted read-only";

  ok({"label", "pod", "downward", "tier=back", "--overwrite"});
  ok({"annotate", "pod", "downward", "build=43", "--overwrite"});
  EXPECT_TRUE(test::wait_until([&] { return cat("/etc/podinfo/labels") == "app=\"downward\"\ntier=\"back\""; }, 30s, 200ms))
      << cat("/etc/podinfo/labels");
  EXPECT_TRUE(test::wait_until([&] { return cat("/etc/podinfo/annotations").rfind("build=\"43\"\n", 0) == 0; }, 30s, 200ms))
      << cat("/etc/podinfo/annotations");
  EXPECT_TRUE(test::wait_until([&] { return cat("/etc/all/labels") == "app=\"downward\"\ntier=\"back\""; }, 30s, 200ms))
      << "the projected volume's downwardAPI source too: " << cat("/etc/all/labels");
  EXPECT_EQ(restarts(*pod("downward")), 0) << "without restarting the container";
}

TEST_F(KubeletDocker, TheApiRefusesDownwardReferencesKubernetesRefuses) {
  auto refused = kubectl({"apply", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata: {name: refused}
spec:
  containers:
  - name: main
    image: skiff/busybox:1
    env:
    - {name: LABELS, valueFrom: {fieldRef: {fieldPath: metadata.labels}}}
    - {name: CPU, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 2}}}
  volumes:
  - name: podinfo
    downwardAPI:
      items:
      - {path: node, fieldRef: {fieldPath: spec.nodeName}}
  - name: token
    projected:
      sources:
      - serviceAccountToken: {path: token, expirationSeconds: 60}
)");
  EXPECT_NE(refused.exit_code, 0);
  for (const char* cause :
       {"spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: \"metadata.labels\": supported "
        "values: \"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", "
        "\"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\"",
        "spec.containers[0].env[1].valueFrom.resourceFieldRef.divisor: Invalid value: \"limits.cpu\": only divisor's "
        "values 1m and 1 are supported with the cpu resource",
        "spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: \"spec.nodeName\": supported values: "
        "\"metadata.annotations\", \"metadata.labels\", \"metadata.name\", \"metadata.namespace\", \"metadata.uid\"",
        "spec.volumes[1].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: 60: may not "
        "specify a duration less than 10 minutes"})
    EXPECT_NE(refused.both().find(cause), std::string::npos) << cause << "\nin:\n" << refused.both();
}

}  // namespace

namespace {

TEST_F(KubeletDocker, APodGetsItsServiceAccountTokenTheClusterCaAndTheApisAddress) {
  ok({"apply", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata:
  name: sa-reader
  labels: {app: sa-reader}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: main, image: skiff/busybox:1, imagePullPolicy: IfNotPresent, command: [sleep, "3600"]}
)");
  ASSERT_TRUE(all_ready("app=sa-reader", 1)) << ok({"describe", "pod", "sa-reader"});
  const std::string dir = "/var/run/secrets/kubernetes.io/serviceaccount/";
  auto in_pod = [&](const std::string& command) { return ok({"exec", "sa-reader", "--", "sh", "-c", command}); };
  EXPECT_EQ(in_pod("cat " + dir + "namespace"), "default");
  EXPECT_NE(in_pod("cat " + dir + "ca.crt").find("BEGIN CERTIFICATE"), std::string::npos);
  std::string token = in_pod("cat " + dir + "token");
  ASSERT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;
  // The token is the pod's: it authenticates as the namespace's default account.
  auto whoami = ok({"--token=" + token, "auth", "whoami"});
  EXPECT_NE(whoami.find("system:serviceaccount:default:default"), std::string::npos) << whoami;
  EXPECT_NE(in_pod("ls -l " + dir).find("token ->"), std::string::npos) << "files are links into a timestamped dir";
  // In-cluster clients find the API by these.
  std::string cluster_ip = ok({"get", "service", "kubernetes", "-o", "jsonpath={.spec.clusterIP}"});
  EXPECT_EQ(in_pod("echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"), cluster_ip + ":443\n");
  EXPECT_EQ(in_pod("echo $KUBERNETES_PORT_443_TCP"), "tcp://" + cluster_ip + ":443\n");
  ok({"delete", "pod", "sa-reader", "--wait=false"});
}

}  // namespace
