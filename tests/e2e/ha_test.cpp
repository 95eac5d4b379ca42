// `make cluster MASTERS=3`'s promises (ctest label "cluster"), on one cluster for the suite:
// three masters — each with its etcd member, its nats-server of one NATS cluster and its
// skiffd (store-etcd, apiserver, scheduler, controller-manager, vip) — and two workers, kubectl
// through the VIP. Killing the master that holds the VIP (kill -9 of its skiffd, nats-server and
// etcd member) while a writer creates ConfigMaps and a Deployment scales: kubectl works again
// within 30 s, nothing acknowledged is lost, the leases move, pods keep running; the master
// rejoins; two masters down refuse writes with 503. Traffic stays on the lab's LAN 10.213.15.0/24.
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "cluster_fixture.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::CommandResult;
using test::run_command;

const std::string kData = SKIFF_TEST_CLUSTER_DIR;
const std::string kLan = "10.213.15";
const std::string kCluster = "skh";
constexpr int kMasters = 3;

// ConfigMaps a writer created, counted only when the API acknowledged them.
class Writer {
 public:
  explicit Writer(std::string prefix) : prefix_(std::move(prefix)) {}
  ~Writer() { stop(); }

  void start(const std::function<bool(const std::string& name)>& create) {
    thread_ = std::thread([this, create] {
      for (int n = 0; !stopping_; ++n) {
        std::string name = prefix_ + std::to_string(n);
        bool acknowledged = create(name);
        std::lock_guard lock(mutex_);
        (acknowledged ? acknowledged_ : failed_).insert(name);
      }
    });
  }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::set<std::string> acknowledged() {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }
  std::size_t failed() {
    std::lock_guard lock(mutex_);
    return failed_.size();
  }

 private:
  std::string prefix_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::set<std::string> acknowledged_;
  std::set<std::string> failed_;
  std::thread thread_;
};

class HighAvailability : public test::ClusterFixture {
 protected:
  static void SetUpTestSuite() {
    test::ClusterLabOptions options{kData, kLan, "skiff-lan-skh", kCluster};
    options.masters = kMasters;
    // cloud-local would count a killed master as a removed machine (instance_gone_after) and
    // delete its Node; this suite is about the control plane.
    options.cloud = "none";
    start_lab(options);
  }
  static void TearDownTestSuite() { stop_lab(); }

  void TearDown() override {
    ClusterFixture::TearDown();
    if (HasFailure() && lab)
      for (int i = 1; i <= kMasters; ++i) {
        std::cerr << "---- " << lab->master(i) << " (last lines)\n" << tail(data + "/" + lab->master(i) + ".log", 40);
        std::cerr << "---- its etcd\n" << tail(data + "/" + lab->master(i) + "-etcd.log", 10);
      }
  }

  static std::string master(int i) { return lab->master(i); }

  // The master whose eth0 carries the VIP ("" when none does).
  static std::string vip_holder() {
    for (int i = 1; i <= kMasters; ++i)
      if (in_netns(master(i), {"ip", "-4", "addr", "show", "dev", "eth0"}).find(lab->vip() + "/") != std::string::npos)
        return master(i);
    return "";
  }

  static CommandResult etcd_health(int i) {
    return run_command({"ip", "netns", "exec", master(i), "env", "ETCDCTL_API=3", "etcdctl", "--endpoints",
                        "http://" + lab->master_ip(i) + ":2379", "--command-timeout", "3s", "endpoint", "health"},
                       {}, 10s);
  }

  static bool node_ready(const std::string& node) {
    return kubectl({"get", "node", node, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"}).out == "True";
  }

  // kubectl through the VIP with a short timeout: one try of a write.
  static bool create_config_map(const std::string& name, std::chrono::seconds timeout = 5s) {
    return run_command({"/usr/bin/kubectl", "--request-timeout=" + std::to_string(timeout.count()) + "s", "create",
                        "configmap", name, "--from-literal=k=v"},
                       {"KUBECONFIG=" + lab->kubeconfig()}, timeout + 5s)
               .exit_code == 0;
  }

  static std::set<std::string> config_maps(const std::string& prefix) {
    std::set<std::string> names;
    std::istringstream lines(ok({"get", "configmaps", "-o", "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}"}));
    for (std::string line; std::getline(lines, line);)
      if (line.rfind(prefix, 0) == 0) names.insert(line);
    return names;
  }

  static std::string lease_holder(const std::string& lease) {
    return kubectl({"-n", "kube-system", "get", "lease", lease, "-o", "jsonpath={.spec.holderIdentity}"}).out;
  }

  static std::vector<std::string> kubernetes_endpoints() {
    std::vector<std::string> ips;
    std::istringstream words(jsonpath("endpoints/kubernetes", "{.subsets[*].addresses[*].ip}"));
    for (std::string ip; words >> ip;) ips.push_back(ip);
    return ips;
  }

  static void expect_every_acknowledged_listed(const std::set<std::string>& acknowledged, const std::string& prefix) {
    std::set<std::string> listed = config_maps(prefix);
    std::size_t missing = 0;
    for (const auto& name : acknowledged)
      if (!listed.count(name)) {
        ++missing;
        ADD_FAILURE() << "acknowledged ConfigMap " << name << " is not listed";
      }
    std::cout << "[ha] " << acknowledged.size() << " ConfigMaps acknowledged, " << missing << " missing\n";
  }

  static inline std::string killed;  // the master the failover test killed (started again after)
};

const std::string kWeb =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n"
    "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
    "      terminationGracePeriodSeconds: 1\n      containers:\n      - name: main\n        image: skiff/busybox:1\n"
    "        imagePullPolicy: IfNotPresent\n        command: [sleep, '3600']\n";

TEST_F(HighAvailability, ThreeControlPlaneNodesReadyEtcdHealthyOneVipHolder) {
  for (int i = 1; i <= kMasters; ++i) {
    EXPECT_TRUE(test::wait_until([&] { return node_ready(master(i)); }, 60s)) << master(i);
    std::string labels = jsonpath("node/" + master(i), "{.metadata.labels}");
    EXPECT_NE(labels.find("node-role.kubernetes.io/control-plane"), std::string::npos) << labels;
    auto health = etcd_health(i);
    EXPECT_EQ(health.exit_code, 0) << health.both();
  }
  EXPECT_TRUE(test::wait_until([] { return !vip_holder().empty(); }, 30s)) << "no master holds " << lab->vip();
  int holders = 0;
  for (int i = 1; i <= kMasters; ++i)
    holders += in_netns(master(i), {"ip", "-4", "addr", "show", "dev", "eth0"}).find(lab->vip() + "/") != std::string::npos;
  EXPECT_EQ(holders, 1);
  EXPECT_NE(ok({"config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"}).find(lab->vip()),
            std::string::npos)
      << "the kubeconfig's server is the VIP";
  std::vector<std::string> all = {lab->master_ip(1), lab->master_ip(2), lab->master_ip(3)};
  EXPECT_TRUE(test::wait_until([&] { return kubernetes_endpoints() == all; }, 30s))
      << "the kubernetes Service lists every apiserver: " << jsonpath("endpoints/kubernetes", "{.subsets}");
}

TEST_F(HighAvailability, KillingTheVipHolderKeepsTheApiTheWritesAndThePods) {
  ok({"apply", "-f", "-"}, kWeb);
  ASSERT_TRUE(test::wait_until([] { return jsonpath("deployment/web", "{.status.readyReplicas}") == "2"; }, 120s))
      << ok({"get", "pods", "-o", "wide"});
  std::string pods_before = jsonpath("pods", "{range .items[*]}{.metadata.uid}{\" \"}{end}");
  killed = vip_holder();
  ASSERT_FALSE(killed.empty());
  std::cout << "[ha] killing " << killed << " (holds the VIP)\n";

  Writer writer("during-");
  writer.start([](const std::string& name) { return create_config_map(name); });
  ASSERT_TRUE(test::wait_until([&] { return writer.acknowledged().size() >= 5; }, 30s)) << "the writer makes no progress";
  ok({"scale", "deployment/web", "--replicas=6"});

  auto kill = lab->script({"kill", killed});
  auto killed_at = Clock::now();
  ASSERT_EQ(kill.exit_code, 0) << kill.both();
  // kubectl through the VIP: the first write acknowledged after the kill.
  bool back = test::wait_until([] { return create_config_map("probe-" + std::to_string(std::rand()), 2s); }, 60s, 100ms);
  auto seconds = std::chrono::duration<double>(Clock::now() - killed_at).count();
  std::cout << "[ha] kubectl through the VIP wrote again " << seconds << " s after the kill (new holder: "
            << vip_holder() << ")\n";
  ASSERT_TRUE(back) << "no write through the VIP within 60 s";
  EXPECT_LT(seconds, 30.0) << "failover took longer than 30 s";
  EXPECT_NE(vip_holder(), killed);

  std::size_t acknowledged_at_recovery = writer.acknowledged().size();
  EXPECT_TRUE(test::wait_until([&] { return writer.acknowledged().size() >= acknowledged_at_recovery + 5; }, 30s));
  writer.stop();
  std::cout << "[ha] writer: " << writer.failed() << " creates failed during the failover\n";
  expect_every_acknowledged_listed(writer.acknowledged(), "during-");

  EXPECT_TRUE(test::wait_until([] { return jsonpath("deployment/web", "{.status.readyReplicas}") == "6"; }, 120s))
      << ok({"get", "pods", "-o", "wide"});
  std::string pods_after = jsonpath("pods", "{range .items[*]}{.metadata.uid}{\" \"}{end}");
  std::istringstream before(pods_before);
  for (std::string uid; before >> uid;)
    EXPECT_NE(pods_after.find(uid), std::string::npos) << "pod " << uid << " of before the kill is gone";
  for (const char* lease : {"default-scheduler", "kube-controller-manager"}) {
    std::string holder;
    EXPECT_TRUE(test::wait_until([&] {
      holder = lease_holder(lease);
      return !holder.empty() && holder.rfind(killed + "_", 0) != 0;
    }, 60s)) << lease << " still held by " << holder;
    std::cout << "[ha] lease " << lease << ": " << holder << "\n";
  }
  EXPECT_TRUE(test::wait_until([&] { return kubernetes_endpoints().size() == kMasters - 1; }, 40s))
      << "the killed apiserver leaves the kubernetes endpoints: " << jsonpath("endpoints/kubernetes", "{.subsets}");
}

TEST_F(HighAvailability, TheKilledMasterRejoins) {
  ASSERT_FALSE(killed.empty()) << "needs the failover test before it";
  // Its Node may still count as Ready (the grace period): its kubelet's heartbeat shows it back.
  auto heartbeat = [] {
    return kubectl({"-n", "kube-node-lease", "get", "lease", killed, "-o", "jsonpath={.spec.renewTime}"}).out;
  };
  std::string last_heartbeat = heartbeat();
  auto start = lab->script({"start", killed});
  ASSERT_EQ(start.exit_code, 0) << start.both();
  int i = killed.back() - '0';
  EXPECT_TRUE(test::wait_until([&] { return etcd_health(i).exit_code == 0; }, 60s)) << etcd_health(i).both();
  EXPECT_TRUE(test::wait_until([&] { return heartbeat() != last_heartbeat && node_ready(killed); }, 90s))
      << ok({"get", "nodes"});
  EXPECT_TRUE(test::wait_until([&] { return kubernetes_endpoints().size() == kMasters; }, 30s))
      << jsonpath("endpoints/kubernetes", "{.subsets}");
  // Its member caught up: it serves the writes made while it was dead.
  auto count = run_command({"ip", "netns", "exec", killed, "env", "ETCDCTL_API=3", "etcdctl", "--endpoints",
                            "http://127.0.0.1:2379", "get", "--prefix", "--keys-only", "--consistency=s",
                            "/skiff/" + kCluster + "/"},
                           {}, 20s);
  EXPECT_NE(count.out.find("during-"), std::string::npos) << "the rejoined member holds none of the writes it missed";
}

TEST_F(HighAvailability, TwoMastersDownRefuseWritesWith503AndLoseNothing) {
  Writer writer("before-");
  writer.start([](const std::string& name) { return create_config_map(name); });
  ASSERT_TRUE(test::wait_until([&] { return writer.acknowledged().size() >= 10; }, 60s));
  writer.stop();
  for (int i : {1, 2}) {
    auto kill = lab->script({"kill", master(i)});
    ASSERT_EQ(kill.exit_code, 0) << kill.both();
  }
  // The survivor's apiserver, straight to its address: the VIP may be nowhere (no store, no lease).
  std::string survivor = "https://" + lab->master_ip(3) + ":6443";
  CommandResult refused;
  EXPECT_TRUE(test::wait_until([&] {
    refused = run_command({"/usr/bin/kubectl", "--server", survivor, "--request-timeout=20s", "create", "configmap",
                           "no-quorum", "--from-literal=k=v"},
                          {"KUBECONFIG=" + lab->kubeconfig()}, 30s);
    return refused.exit_code != 0 && refused.both().find("ServiceUnavailable") != std::string::npos;
  }, 60s, 500ms)) << refused.both();
  std::cout << "[ha] a write with two masters down: " << refused.both();
  for (int i : {1, 2}) {
    auto start = lab->script({"start", master(i)});
    EXPECT_EQ(start.exit_code, 0) << start.both();
  }
  EXPECT_TRUE(test::wait_until([] { return create_config_map("after-" + std::to_string(std::rand()), 2s); }, 90s, 200ms));
  expect_every_acknowledged_listed(writer.acknowledged(), "before-");
  for (int i = 1; i <= kMasters; ++i) EXPECT_TRUE(test::wait_until([&] { return node_ready(master(i)); }, 90s)) << master(i);
}

}  // namespace
