// The real kubectl against a node with store-lmdb and the apiserver: kubectl 1.20 (Debian),
// the machine's kubectl (its dispatcher picks 1.33 for the v1.33 we report) and 1.27 run directly.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "api_node.hpp"
#include "kubectl_versions.hpp"
#include "skiff/api/metrics/v1beta1/metrics.pb.h"
#include "skiff/sdk/bus_proto.hpp"
#include "skiffd_process.hpp"
#include "subprocess.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

using test::Kubectl;

const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.19
        ports:
        - containerPort: 80
)";

const char* kPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: box
  labels: {app: box}
spec:
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
)";

class KubectlTest : public ::testing::TestWithParam<Kubectl> {
 protected:
  void SetUp() override {
    SKIFF_REQUIRE_KUBECTL(GetParam());
    node = std::make_unique<test::ApiNode>();
  }
  test::CommandResult kubectl(std::vector<std::string> args, const std::string& stdin_text = "") {
    return node->kubectl(GetParam().binary, std::move(args), stdin_text);
  }
  // Runs kubectl and expects success, returning stdout.
  std::string ok(std::vector<std::string> args, const std::string& stdin_text = "") {
    auto r = kubectl(args, stdin_text);
    EXPECT_EQ(r.exit_code, 0) << "kubectl " << args[0] << ": " << r.both();
    return r.out;
  }
  std::string file(const std::string& name, const std::string& text) {
    std::string path = dir.file(name);
    std::ofstream(path) << text;
    return path;
  }
  bool is_1_20() const { return GetParam().name == "kubectl_1_20"; }

  test::TempDir dir;
  std::unique_ptr<test::ApiNode> node;
};

TEST_P(KubectlTest, VersionAndApiResources) {
  std::string version = ok({"version"});
  EXPECT_NE(version.find("v1.33.0"), std::string::npos) << version;
  std::string resources = ok({"api-resources"});
  EXPECT_TRUE(std::regex_search(resources, std::regex(R"(deployments\s+deploy\s+apps/v1\s+true\s+Deployment)"))) << resources;
  EXPECT_TRUE(std::regex_search(resources, std::regex(R"(pods\s+po\s+v1\s+true\s+Pod)"))) << resources;
  EXPECT_TRUE(std::regex_search(resources, std::regex(R"(nodes\s+no\s+v1\s+false\s+Node)"))) << resources;
  EXPECT_TRUE(std::regex_search(resources, std::regex(R"(ingresses\s+ing\s+networking.k8s.io/v1\s+true\s+Ingress)")))
      << resources;
  EXPECT_TRUE(std::regex_search(resources, std::regex(R"(\njobs\s+batch/v1\s+true\s+Job)"))) << resources;
  EXPECT_TRUE(std::regex_search(resources, std::regex(R"(cronjobs\s+cj\s+batch/v1\s+true\s+CronJob)"))) << resources;
  EXPECT_TRUE(std::regex_search(
      resources, std::regex(R"(horizontalpodautoscalers\s+hpa\s+autoscaling/v2\s+true\s+HorizontalPodAutoscaler)")))
      << resources;
}

TEST_P(KubectlTest, GetEveryTypeInEveryFormat) {
  ok({"create", "-f", file("d.yaml", kDeployment)});
  ok({"create", "-f", file("p.yaml", kPod)});
  ok({"create", "configmap", "settings", "--from-literal=color=blue"});
  ok({"create", "secret", "generic", "token", "--from-literal=password=s3cret"});
  ok({"create", "-f", std::string(SKIFF_TEST_DATA_DIR) + "/service.yaml"});
  ok({"create", "-f", std::string(SKIFF_TEST_DATA_DIR) + "/ingress.yaml"});

  std::string all = ok({"get", "deployments,replicasets,services,pods,configmaps,secrets,ingresses,endpoints,events"});
  EXPECT_NE(all.find("deployment.apps/web"), std::string::npos) << all;
  EXPECT_NE(all.find("service/my-service"), std::string::npos) << all;
  EXPECT_NE(all.find("configmap/settings"), std::string::npos) << all;
  EXPECT_NE(all.find("ingress.networking.k8s.io/minimal-ingress"), std::string::npos) << all;
  EXPECT_TRUE(std::regex_search(ok({"get", "pods"}), std::regex(R"(NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE)")));
  EXPECT_TRUE(std::regex_search(ok({"get", "pods", "-o", "wide"}), std::regex(R"(IP\s+NODE\s+NOMINATED NODE)")));
  EXPECT_TRUE(std::regex_search(ok({"get", "deploy"}), std::regex(R"(web\s+0/2\s+0\s+0)")));
  EXPECT_TRUE(std::regex_search(ok({"get", "svc"}), std::regex(R"(my-service\s+ClusterIP\s+10\.96\.[0-9.]+\s+<none>\s+80/TCP,443/TCP)")));
  EXPECT_TRUE(std::regex_search(ok({"get", "ns"}), std::regex(R"(kube-system\s+Active)")));
  EXPECT_TRUE(std::regex_search(ok({"get", "pods", "-A"}), std::regex(R"(NAMESPACE\s+NAME[^\n]*\ndefault\s+box)")));
  EXPECT_TRUE(std::regex_search(ok({"get", "pods", "--show-labels"}), std::regex(R"(box\s.*app=box)")));
  std::string labelled = ok({"get", "deploy,pods", "-l", "app=box", "-o", "name"});
  EXPECT_EQ(labelled, "pod/box\n");
  auto json = boost::json::parse(ok({"get", "pods", "-o", "json"}));
  EXPECT_EQ(json.at("kind"), "List");
  EXPECT_EQ(json.at("items").as_array().at(0).at("kind"), "Pod");
  EXPECT_EQ(json.at("items").as_array().at(0).at("status").at("phase"), "Pending");
  std::string yaml = ok({"get", "deploy", "web", "-o", "yaml"});
  EXPECT_NE(yaml.find("kind: Deployment"), std::string::npos);
  EXPECT_NE(yaml.find("revisionHistoryLimit: 10"), std::string::npos) << "defaults applied";
  EXPECT_EQ(ok({"get", "secret", "token", "-o", "jsonpath={.data.password}"}), "czNjcmV0");
}

TEST_P(KubectlTest, CreateThenApplyTwiceChangingImageAndRemovingAField) {
  std::string v1 = file("v1.yaml", kDeployment);
  EXPECT_NE(ok({"create", "-f", v1}).find("deployment.apps/web created"), std::string::npos);
  auto again = kubectl({"create", "-f", v1});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("Error from server (AlreadyExists)"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("deployments.apps \"web\" already exists"), std::string::npos) << again.err;
  ok({"delete", "-f", v1});

  EXPECT_NE(ok({"apply", "-f", v1}).find("deployment.apps/web created"), std::string::npos);
  std::string v2text = std::regex_replace(std::string(kDeployment), std::regex("nginx:1.19"), "nginx:1.21");
  v2text = std::regex_replace(v2text, std::regex("        ports:\n        - containerPort: 80\n"), "");
  std::string v2 = file("v2.yaml", v2text);
  EXPECT_NE(ok({"apply", "-f", v2}).find("deployment.apps/web configured"), std::string::npos);
  EXPECT_EQ(ok({"get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"}), "nginx:1.21");
  EXPECT_EQ(ok({"get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].ports}"}), "");
  EXPECT_EQ(ok({"get", "deploy", "web", "-o", "jsonpath={.metadata.generation}"}), "2");
  EXPECT_NE(ok({"apply", "-f", v2}).find("deployment.apps/web unchanged"), std::string::npos);
}

TEST_P(KubectlTest, DeleteReturnsOnceTheObjectIsGone) {
  ok({"create", "-f", file("p.yaml", kPod)});
  EXPECT_NE(ok({"delete", "pod", "box"}).find("pod \"box\" deleted"), std::string::npos);
  auto gone = kubectl({"get", "pod", "box"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("Error from server (NotFound): pods \"box\" not found"), std::string::npos) << gone.err;
  ok({"create", "-f", file("d.yaml", kDeployment)});
  EXPECT_NE(ok({"delete", "-f", dir.file("d.yaml")}).find("deployment.apps \"web\" deleted"), std::string::npos);
  auto missing = kubectl({"delete", "pod", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("pods \"nope\" not found"), std::string::npos);
}

TEST_P(KubectlTest, WaitForDeleteAndGetWatch) {
  ok({"create", "-f", file("p.yaml", kPod)});
  // Both run in the background while the pod changes and goes away.
  kernel::SpawnOptions watch;
  std::string watch_log = dir.file("watch.log");
  int out = open(watch_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  watch.argv = {GetParam().binary, "get", "pods", "-w", "--kubeconfig", node->kubeconfig(), "--cache-dir", dir.file("cache")};
  watch.stdout_fd = out;
  watch.stderr_fd = out;
  pid_t watcher = kernel::spawn_process(watch);
  close(out);
  auto slurp = [&] {
    std::ifstream f(watch_log);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  ASSERT_TRUE(test::wait_until([&] { return slurp().find("box") != std::string::npos; }, 20s)) << slurp();

  // The apiserver's count of open watches tells when `kubectl wait` watches the pod: deleting
  // it earlier would race its first read (1.20 then says "no matching resources found").
  auto open_watches = [&] {
    sdk::Reply reply = node->node().bus().request(node->node().subjects().plugin_metrics("apiserver"), "", 5s);
    std::smatch m;
    return reply.ok() && std::regex_search(reply.data, m, std::regex(R"(\nskiff_apiserver_watches(\{[^}]*\})? ([0-9]+))"))
               ? std::stoi(m[2])
               : -1;
  };
  ASSERT_TRUE(test::wait_until([&] { return open_watches() >= 1; }, 20s)) << "get -w never watched";  // after its list
  int watching = open_watches();

  kernel::SpawnOptions wait;
  wait.argv = {GetParam().binary, "wait", "--for=delete", "pod/box", "--timeout=30s", "--kubeconfig", node->kubeconfig(),
               "--cache-dir", dir.file("cache2")};
  std::string wait_log = dir.file("wait.log");
  int wait_out = open(wait_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  wait.stdout_fd = wait_out;
  wait.stderr_fd = wait_out;
  pid_t waiter = kernel::spawn_process(wait);
  close(wait_out);
  ASSERT_TRUE(test::wait_until([&] { return open_watches() > watching; }, 20s)) << "kubectl wait never watched";

  ok({"label", "pod", "box", "stage=two"});
  ok({"delete", "pod", "box", "--wait=false"});
  auto status = kernel::wait_for_exit(waiter, 30s);
  ASSERT_TRUE(status.has_value()) << "kubectl wait did not return";
  EXPECT_EQ(WEXITSTATUS(*status), 0) << std::ifstream(wait_log).rdbuf();
  // The watch printed the pod's initial row, its change and its deletion.
  ASSERT_TRUE(test::wait_until([&] {
    std::string text = slurp();
    return std::count(text.begin(), text.end(), '\n') >= 4;
  }, 20s)) << slurp();
  kill(watcher, SIGTERM);
  kernel::wait_for_exit(watcher, 5s);
  EXPECT_TRUE(std::regex_search(slurp(), std::regex(R"(NAME\s+READY\s+STATUS)"))) << slurp();
}

TEST_P(KubectlTest, ScaleLabelAnnotateExposeAndEdit) {
  ok({"create", "-f", file("d.yaml", kDeployment)});
  EXPECT_NE(ok({"scale", "deployment", "web", "--replicas=5"}).find("deployment.apps/web scaled"), std::string::npos);
  EXPECT_EQ(ok({"get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"}), "5");
  EXPECT_NE(ok({"label", "deployment", "web", "tier=frontend"}).find("labeled"), std::string::npos);
  // kubectl 1.27 prints "annotate" instead of "annotated" (its own bug).
  EXPECT_NE(ok({"annotate", "deployment", "web", "owner=team-a"}).find("deployment.apps/web annotate"), std::string::npos);
  EXPECT_EQ(ok({"get", "deploy", "-l", "tier=frontend", "-o", "name"}), "deployment.apps/web\n");
  EXPECT_EQ(ok({"get", "deploy", "web", "-o", "jsonpath={.metadata.annotations.owner}"}), "team-a");
  EXPECT_NE(ok({"expose", "deployment", "web", "--port", "80"}).find("service/web exposed"), std::string::npos);
  EXPECT_TRUE(std::regex_match(ok({"get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"}),
                               std::regex(R"(10\.(9[6-9]|1[01][0-9])\.[0-9]+\.[0-9]+)")));
  EXPECT_EQ(ok({"get", "svc", "web", "-o", "jsonpath={.spec.selector.app}"}), "web");
  std::string editor = file("editor.sh", "#!/bin/sh\nsed -i 's/replicas: 5/replicas: 3/' \"$1\"\n");
  chmod(editor.c_str(), 0755);
  auto edited = test::run_command({GetParam().binary, "edit", "deployment", "web", "--kubeconfig", node->kubeconfig(),
                                   "--cache-dir", dir.file("cache")},
                                  {"EDITOR=" + editor, "KUBE_EDITOR=" + editor});
  EXPECT_EQ(edited.exit_code, 0) << edited.both();
  EXPECT_EQ(ok({"get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"}), "3");
}

TEST_P(KubectlTest, TheKubernetesServiceAndItsEndpoints) {
  // The apiserver writes them as it starts: wait for the last one.
  std::string endpoints;
  ASSERT_TRUE(test::wait_until([&] {
    auto r = kubectl({"get", "endpoints", "kubernetes"});
    endpoints = r.out;
    return r.exit_code == 0;
  }, 10s)) << endpoints;
  std::string port = std::to_string(node->port());
  EXPECT_TRUE(std::regex_search(endpoints, std::regex(R"(NAME\s+ENDPOINTS\s+AGE\nkubernetes\s+127\.0\.0\.1:)" + port + R"(\s)")))
      << endpoints;
  std::string service = ok({"get", "svc", "kubernetes"});
  EXPECT_TRUE(std::regex_search(service, std::regex(R"(kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443/TCP\s)")))
      << service;
  EXPECT_EQ(ok({"get", "svc", "kubernetes", "-o", "jsonpath={.spec.ports[0].name}/{.spec.ports[0].targetPort}"}),
            "https/" + port);
  EXPECT_EQ(ok({"get", "endpointslices", "kubernetes", "-o", "jsonpath={.addressType} {.endpoints[0].addresses[0]}"}),
            "IPv4 127.0.0.1");
  // Deleted, it comes back with its address.
  ok({"delete", "svc", "kubernetes"});
  EXPECT_TRUE(test::wait_until([&] {
    return kubectl({"get", "svc", "kubernetes", "-o", "jsonpath={.spec.clusterIP}"}).out == "10.96.0.1";
  }, 10s));
}

TEST_P(KubectlTest, TypedCreateCommands) {
  // kubectl 1.27+ sends these as Kubernetes protobuf; 1.20 as JSON.
  EXPECT_NE(ok({"create", "namespace", "team"}).find("namespace/team created"), std::string::npos);
  EXPECT_NE(ok({"-n", "team", "create", "deployment", "api", "--image=nginx:1.25", "--port=8080", "--replicas=3"})
                .find("deployment.apps/api created"),
            std::string::npos);
  EXPECT_NE(ok({"-n", "team", "create", "service", "clusterip", "api", "--tcp=80:8080"}).find("service/api created"),
            std::string::npos);
  EXPECT_NE(ok({"-n", "team", "create", "configmap", "settings", "--from-literal=mode=fast"}).find("configmap/settings created"),
            std::string::npos);
  EXPECT_NE(ok({"-n", "team", "create", "secret", "generic", "keys", "--from-literal=token=abc"}).find("secret/keys created"),
            std::string::npos);
  EXPECT_EQ(ok({"-n", "team", "get", "deploy", "api", "-o",
                "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} "
                "{.spec.template.spec.containers[0].ports[0].containerPort} {.spec.selector.matchLabels.app}"}),
            "3 nginx:1.25 8080 api");
  EXPECT_EQ(ok({"-n", "team", "get", "svc", "api", "-o", "jsonpath={.spec.ports[0].port}/{.spec.ports[0].targetPort}"}),
            "80/8080");
  EXPECT_EQ(ok({"-n", "team", "get", "cm", "settings", "-o", "jsonpath={.data.mode}"}), "fast");
  EXPECT_EQ(ok({"-n", "team", "get", "secret", "keys", "-o", "jsonpath={.data.token}"}), "YWJj");
  EXPECT_TRUE(std::regex_search(ok({"get", "ns", "team"}), std::regex(R"(team\s+Active)")));
}

TEST_P(KubectlTest, DescribeShowsTheEventsOfAPod) {
  ok({"create", "-f", file("p.yaml", kPod)});
  std::string uid = ok({"get", "pod", "box", "-o", "jsonpath={.metadata.uid}"});
  ok({"create", "-f", file("event.yaml", R"(apiVersion: v1
kind: Event
metadata:
  name: box.first
involvedObject:
  kind: Pod
  name: box
  namespace: default
  uid: )" + uid + R"(
  apiVersion: v1
reason: Scheduled
message: Successfully assigned default/box to node-1
source:
  component: default-scheduler
type: Normal
count: 1
firstTimestamp: "2026-11-27T00:00:00Z"
lastTimestamp: "2026-11-27T00:00:00Z"
)")});
  std::string described = ok({"describe", "pod", "box"});
  EXPECT_NE(described.find("Name:"), std::string::npos) << described;
  EXPECT_TRUE(std::regex_search(described, std::regex(R"(Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default/box to node-1)")))
      << described;
  EXPECT_TRUE(std::regex_search(ok({"get", "events"}), std::regex(R"(Normal\s+Scheduled\s+pod/box\s+Successfully assigned)")));
}

TEST_P(KubectlTest, AnInvalidManifestPrintsTheIsInvalidLine) {
  std::string bad = std::regex_replace(std::string(kDeployment), std::regex("replicas: 2"), "replicas: -1");
  auto result = kubectl({"apply", "-f", file("bad.yaml", bad)});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("The Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than "
                            "or equal to 0"),
            std::string::npos)
      << result.err;
  std::string two = std::regex_replace(std::string(kDeployment), std::regex("app: web\\}\n    spec"), "app: other}\n    spec");
  result = kubectl({"create", "-f", file("mismatch.yaml", two)});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("`selector` does not match template `labels`"), std::string::npos) << result.err;
}

// A metrics provider as a plugin would be one: it serves skiff.<c>.metrics.nodes / .pods.
struct FakeMetricsProvider {
  explicit FakeMetricsProvider(test::PluginNode& node) {
    namespace m = api::metrics::v1beta1;
    nodes = sdk::serve_proto<m::MetricsRequest>(node.bus(), node.subjects().resource_metrics("nodes"), "metrics",
                                                [](const m::MetricsRequest& r, const sdk::Request&) {
      m::MetricsResponse response;
      if (r.name().empty() || r.name() == "node-1") {
        m::NodeMetrics usage;
        usage.mutable_metadata()->set_name("node-1");
        usage.set_timestamp("2026-11-27T00:00:00Z");
        usage.set_window("10s");
        (*usage.mutable_usage())["cpu"] = "500m";
        (*usage.mutable_usage())["memory"] = "1Gi";
        response.add_items(usage.SerializeAsString());
      }
      return response;
    });
    pods = sdk::serve_proto<m::MetricsRequest>(node.bus(), node.subjects().resource_metrics("pods"), "metrics",
                                               [](const m::MetricsRequest& r, const sdk::Request&) {
      m::MetricsResponse response;
      if ((r.namespace_().empty() || r.namespace_() == "default") && (r.name().empty() || r.name() == "box")) {
        m::PodMetrics usage;
        usage.mutable_metadata()->set_name("box");
        usage.mutable_metadata()->set_namespace_("default");
        usage.set_timestamp("2026-11-27T00:00:00Z");
        usage.set_window("10s");
        auto* c = usage.add_containers();
        c->set_name("main");
        (*c->mutable_usage())["cpu"] = "250m";
        (*c->mutable_usage())["memory"] = "64Mi";
        response.add_items(usage.SerializeAsString());
      }
      return response;
    });
  }
  sdk::Subscription nodes, pods;
};

TEST_P(KubectlTest, TopShowsWhatTheMetricsProviderMeasures) {
  auto without = kubectl({"top", "pod"});
  EXPECT_NE(without.exit_code, 0);
  EXPECT_NE(without.both().find("Metrics API not available"), std::string::npos) << without.both();

  FakeMetricsProvider provider(node->node());
  ok({"create", "-f", file("p.yaml", kPod)});
  ok({"create", "-f", file("node.yaml", R"(apiVersion: v1
kind: Node
metadata:
  name: node-1
status:
  capacity: {cpu: "2", memory: 4Gi}
  allocatable: {cpu: "2", memory: 4Gi}
)")});
  // The apiserver looks for a provider at most every few seconds.
  ASSERT_TRUE(test::wait_until([&] { return kubectl({"top", "pod"}).exit_code == 0; }, 15s));
  std::string pods = ok({"top", "pod"});
  EXPECT_TRUE(std::regex_search(pods, std::regex(R"(box\s+250m\s+64Mi)"))) << pods;
  std::string containers = ok({"top", "pod", "box", "--containers"});
  EXPECT_TRUE(std::regex_search(containers, std::regex(R"(box\s+main\s+250m\s+64Mi)"))) << containers;
  std::string nodes = ok({"top", "node"});
  EXPECT_TRUE(std::regex_search(nodes, std::regex(R"(node-1\s+500m\s+25%\s+1024Mi\s+25%)"))) << nodes;
}

INSTANTIATE_TEST_SUITE_P(Clients, KubectlTest, test::all_kubectls(), test::kubectl_name);

TEST(PythonClient, ListsCreatesAndWatches) {
  test::ApiNode node;
  auto result = test::run_command({"/usr/bin/python3", std::string(SKIFF_TEST_E2E_DIR) + "/python_client.py", node.kubeconfig()});
  EXPECT_EQ(result.exit_code, 0) << result.both();
  EXPECT_NE(result.out.find("namespaces: ['default', 'kube-node-lease', 'kube-public', 'kube-system']"), std::string::npos)
      << result.both();
  EXPECT_NE(result.out.find("events: ['ADDED', 'MODIFIED', 'DELETED']"), std::string::npos) << result.both();
  EXPECT_NE(result.out.find("invalid: 422"), std::string::npos) << result.both();
}

}  // namespace
