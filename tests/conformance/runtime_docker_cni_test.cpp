// runtime-docker with `network: cni`: the runtime conformance suite again, and what CNI adds —
// pod IPs from the conflist's subnet, hostPorts through portmap, every IP given back (at stop,
// after a failed ADD, after a restart that finds sandboxes dead), a clear error without a
// conflist. Each test has a CNI lab of its own (bridge, /24, host-local store) and removes it.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>

#include "cni_lab.hpp"
#include "command.hpp"
#include "skiff/testing/process.hpp"
#include "skiff/sdk/runtime/runtime_client.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/testing/plugin_harness.hpp"
#include "skiff/testing/skiffd.hpp"
#include "temp_dir.hpp"
#include "test_images.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
namespace rt = runtime::v1;
namespace fs = std::filesystem;

// One lab per test process (ctest runs each test in its own), made on first use.
std::unique_ptr<test::CniLab>& lab_slot() {
  static std::unique_ptr<test::CniLab> lab;
  return lab;
}
test::CniLab& lab() {
  if (!lab_slot()) {
    lab_slot() = std::make_unique<test::CniLab>();
    lab_slot()->write_conflist();
  }
  return *lab_slot();
}

// After the last test (its sandboxes removed): no IP may be left reserved. Then the lab goes,
// while the process can still run commands.
class LabCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!lab_slot()) return;
    EXPECT_EQ(lab_slot()->reserved_ips(), std::vector<std::string>{}) << "IPs leaked in host-local's store";
    lab_slot().reset();
  }
};
const auto* const lab_cleanup = ::testing::AddGlobalTestEnvironment(new LabCleanup);

conformance::RuntimeHarnessFactory cni_harness() {
  return [] {
    test::import_test_images();
    return test::runtime_harness({"runtime-docker", "", "network: cni\ncni_conf_dir: " + lab().conf_dir()})();
  };
}

}  // namespace

namespace skiff::conformance {
INSTANTIATE_TEST_SUITE_P(Cni, RuntimeConformance,
                         ::testing::Values(RuntimeConformanceParam{"runtime_docker_cni", cni_harness(), true}),
                         [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance

namespace {

// runtime-docker alone on a skiffd node that can be killed and restarted on the same data.
class RuntimeDockerCni : public ::testing::Test {
 protected:
  void SetUp() override { test::import_test_images(); }

  // Starts the node with these config lines under `network: cni`.
  void start(const std::string& config_lines) {
    node = std::make_unique<test::PluginNode>(
        nats, "  - name: runtime-docker\n    config:\n      network: cni\n" + config_lines, "test-node");
    node->start();
    runtime = std::make_unique<sdk::RuntimeClient>(node->bus(), node->subjects(), "test-node");
  }
  void TearDown() override {
    if (runtime)
      for (const auto& s : runtime->list_sandboxes({{"io.skiff.test", label}})) runtime->remove_sandbox(s.id());
    if (HasFailure() && node) std::fprintf(stderr, "skiffd output:\n%s\n", node->output().c_str());
  }

  rt::SandboxConfig pod(const std::string& name) const {
    rt::SandboxConfig config;
    config.set_pod_uid(label + "-" + name);
    config.set_pod_name(name);
    config.set_namespace_("cni-test");
    config.set_hostname(name);
    (*config.mutable_labels())["io.skiff.test"] = label;
    return config;
  }
  std::string container(const std::string& sandbox, const rt::SandboxConfig& config, std::vector<std::string> command) {
    rt::ContainerConfig c;
    c.set_name("main");
    c.set_image("skiff/busybox:1");
    for (auto& part : command) c.add_command(part);
    std::string id = runtime->create_container(sandbox, c, config);
    runtime->start_container(id);
    return id;
  }
  // What docker says of the sandbox: "gone", or its State.Status.
  static std::string docker_state(const std::string& id) {
    auto r = test::run_command({"docker", "inspect", "-f", "{{.State.Status}}", id});
    return r.exit_code == 0 ? r.out.substr(0, r.out.find('\n')) : "gone";
  }
  std::vector<std::string> records() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(node->dir().file("data/plugins/runtime-docker/cni"), ec))
      out.push_back(e.path().filename().string());
    return out;
  }

  std::string label = "cni" + std::to_string(getpid());
  test::NatsServer nats;
  std::unique_ptr<test::PluginNode> node;
  std::unique_ptr<sdk::RuntimeClient> runtime;
};

TEST_F(RuntimeDockerCni, PodsGetIpsFromTheSubnetAndGiveThemBackWhenStopped) {
  start("      cni_conf_dir: " + lab().conf_dir() + "\n");
  auto config = pod("web");
  std::string ip;
  std::string id = runtime->run_sandbox(config, &ip);
  ASSERT_EQ(ip.rfind(lab().prefix(), 0), 0u) << "the pod IP " << ip << " is from " << lab().subnet();
  EXPECT_EQ(lab().reserved_ips(), std::vector<std::string>{ip});
  EXPECT_EQ(runtime->sandbox_status(id).ip(), ip);
  EXPECT_EQ(runtime->list_sandboxes({{"io.skiff.test", label}}).at(0).ip(), ip);
  EXPECT_NE(test::run_command({"docker", "inspect", "-f", "{{.HostConfig.NetworkMode}}", id}).out.find("none"), std::string::npos)
      << "the sandbox is made with Docker's network mode none";

  container(id, config, {"httpd", "-f", "-p", "8080", "-h", "/www"});
  EXPECT_TRUE(test::wait_until([&] { return test::tcp_exchange(ip, 8080, "GET / HTTP/1.0\r\n\r\n").find("hello from skiff") != std::string::npos; }))
      << "the node reaches the pod on its IP, over the lab's bridge";

  runtime->stop_sandbox(id);
  EXPECT_TRUE(lab().reserved_ips().empty()) << "DEL ran when the sandbox stopped";
  EXPECT_TRUE(records().empty());
  runtime->remove_sandbox(id);
  EXPECT_EQ(docker_state(id), "gone");
}

TEST_F(RuntimeDockerCni, HostPortsGoThroughPortmapAndTheirRulesGoWithThePod) {
  start("      cni_conf_dir: " + lab().conf_dir() + "\n");
  auto config = pod("ports");
  int host_port = test::free_port();
  auto* mapping = config.add_port_mappings();
  mapping->set_protocol("TCP");
  mapping->set_container_port(8080);
  mapping->set_host_port(host_port);
  std::string ip;
  std::string id = runtime->run_sandbox(config, &ip);
  container(id, config, {"httpd", "-f", "-p", "8080", "-h", "/www"});
  std::string rules;
  for (const auto& rule : lab().nat_rules()) rules += rule + "\n";
  EXPECT_NE(rules.find("--dport " + std::to_string(host_port)), std::string::npos) << rules;
  EXPECT_NE(rules.find("--to-destination " + ip + ":8080"), std::string::npos) << rules;
  EXPECT_TRUE(test::wait_until([&] {
    return test::tcp_exchange(lab().gateway(), host_port, "GET / HTTP/1.0\r\n\r\n").find("hello from skiff") != std::string::npos;
  })) << "the hostPort on the node's bridge address reaches the pod";
  runtime->remove_sandbox(id);
  EXPECT_TRUE(lab().nat_rules().empty()) << "portmap's rules went with the pod";
  EXPECT_TRUE(lab().reserved_ips().empty());
}

TEST_F(RuntimeDockerCni, WithoutAConflistSandboxesAreRefusedWithTheReason) {
  test::TempDir empty;
  start("      cni_conf_dir: " + empty.path() + "\n");
  const std::string reason = "no CNI network configuration in " + empty.path() + "; is the network plugin running on this node?";
  try {
    runtime->run_sandbox(pod("early"));
    ADD_FAILURE() << "a sandbox ran without a network";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 503);
    EXPECT_EQ(e.status().reason, "NetworkNotReady");
    EXPECT_EQ(e.status().message, reason);
  }
  EXPECT_TRUE(runtime->list_sandboxes({{"io.skiff.test", label}}).empty()) << "no sandbox was left behind";
  auto status = runtime->status();
  EXPECT_FALSE(status.ready()) << "as the kubelet's NetworkReady";
  EXPECT_EQ(status.message(), reason);

  std::ofstream(empty.file("10-late.conflist")) << lab().conflist_json();
  EXPECT_TRUE(runtime->status().ready()) << "ready once the network plugin wrote its conflist";
  std::string ip;
  runtime->run_sandbox(pod("late"), &ip);
  EXPECT_EQ(ip.rfind(lab().prefix(), 0), 0u) << ip;
}

TEST_F(RuntimeDockerCni, HostNetworkPodsSkipCni) {
  start("      cni_conf_dir: " + lab().conf_dir() + "\n");
  auto config = pod("host");
  config.set_host_network(true);
  std::string id = runtime->run_sandbox(config);
  EXPECT_EQ(runtime->sandbox_status(id).state(), "READY");
  EXPECT_TRUE(lab().reserved_ips().empty());
  EXPECT_TRUE(records().empty());
  EXPECT_NE(test::run_command({"docker", "inspect", "-f", "{{.HostConfig.NetworkMode}}", id}).out.find("host"), std::string::npos);
}

TEST_F(RuntimeDockerCni, AFailedAddLeavesNoSandboxAndNoIp) {
  test::TempDir plugins, conf;
  std::string refuse = plugins.file("refuse");
  std::ofstream(refuse) << "#!/bin/sh\ncat >/dev/null\n[ \"$CNI_COMMAND\" = ADD ] && { echo '{\"code\":7,\"msg\":\"no room\"}'; exit 1; }\nexit 0\n";
  fs::permissions(refuse, fs::perms::owner_all);
  std::string list = lab().conflist_json();
  list.insert(list.rfind(']'), R"(, {"type": "refuse"})");
  std::ofstream(conf.file("10-refusing.conflist")) << list;
  start("      cni_conf_dir: " + conf.path() + "\n      cni_bin_dirs: [/usr/lib/cni, " + plugins.path() + "]\n");
  try {
    runtime->run_sandbox(pod("refused"));
    ADD_FAILURE() << "ADD passed a refusing plugin";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().message, "CNI plugin refuse (ADD on network " + lab().network() + ") failed: no room (CNI error code 7)");
  }
  EXPECT_TRUE(lab().reserved_ips().empty()) << "bridge's IP went back when ADD was undone";
  EXPECT_TRUE(records().empty());
  EXPECT_TRUE(test::run_command({"docker", "ps", "-aq", "--filter", "label=io.skiff.test=" + label}).out.empty())
      << "the sandbox container was removed";
}

TEST_F(RuntimeDockerCni, ARestartReleasesTheIpsOfDeadSandboxesAndKeepsTheLiveOnes) {
  // The default conf dir: <node data dir>/cni/net.d, where the node's network plugin writes.
  start("");
  fs::create_directories(node->dir().file("data/cni/net.d"));
  std::ofstream(node->dir().file("data/cni/net.d/10-pods.conflist")) << lab().conflist_json();
  std::string removed_ip, killed_ip, live_ip;
  std::string removed = runtime->run_sandbox(pod("removed"), &removed_ip);
  std::string killed = runtime->run_sandbox(pod("killed"), &killed_ip);
  std::string live = runtime->run_sandbox(pod("live"), &live_ip);
  std::string interrupted = runtime->run_sandbox(pod("interrupted"));
  ASSERT_EQ(lab().reserved_ips().size(), 4u);

  node->kill();  // no clean stop; meanwhile two sandboxes die
  test::run_command({"docker", "rm", "-f", removed});
  test::run_command({"docker", "kill", killed});
  // One record as a runtime killed during ADD leaves it: no result yet.
  std::string record = node->dir().file("data/plugins/runtime-docker/cni/" + interrupted + ".json");
  auto json = boost::json::parse(test::read_file(record)).as_object();
  json.erase("result");
  json["ip"] = "";
  std::ofstream(record, std::ios::trunc) << boost::json::serialize(json);
  node->start();

  EXPECT_EQ(lab().reserved_ips(), std::vector<std::string>{live_ip}) << "the dead sandboxes' IPs were released at start";
  EXPECT_NE(node->output().find("released the network of sandbox " + removed + " (gone)"), std::string::npos);
  EXPECT_EQ(runtime->sandbox_status(live).ip(), live_ip) << "the live pod keeps its IP across the restart";
  EXPECT_EQ(runtime->sandbox_status(killed).state(), "NOTREADY");
  EXPECT_EQ(runtime->sandbox_status(interrupted).state(), "NOTREADY") << "a sandbox whose ADD never finished is stopped";
  runtime->remove_sandbox(killed);  // nothing left to release: still fine
  runtime->remove_sandbox(interrupted);
  runtime->remove_sandbox(live);
  EXPECT_TRUE(lab().reserved_ips().empty());
  EXPECT_TRUE(records().empty());
}

}  // namespace
