// What every `make cluster` suite needs: one ClusterLab for the whole suite (started in
// SetUpTestSuite, removed in TearDownTestSuite with a check that nothing is left) and kubectl,
// pod and exec helpers. Traffic stays in the namespaces and bridges the lab makes.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "cluster_lab.hpp"
#include "command.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/bus_options.hpp"
#include "skiff/sdk/cidr.hpp"
#include "skiff/sdk/subjects.hpp"
#include "skiff/testing/wait.hpp"

namespace skiff::test {

using namespace std::chrono_literals;

class ClusterFixture : public ::testing::Test {
 protected:
  static inline ClusterLab* lab = nullptr;
  static inline std::string data;

  static void start_lab(const ClusterLabOptions& options) {
    data = options.data_dir;
    try {
      lab = new ClusterLab(options);
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
    std::filesystem::create_directories(data + "/tools");
    std::filesystem::copy_file(SKIFF_TEST_UDP_ECHO, data + "/tools/udp-echo",
                               std::filesystem::copy_options::overwrite_existing);
    // Built beside udp-echo for the suites that use it (an HTTPS client for in-cluster API calls).
    auto https_get = std::filesystem::path(SKIFF_TEST_UDP_ECHO).parent_path() / "https-get";
    if (std::filesystem::exists(https_get))
      std::filesystem::copy_file(https_get, data + "/tools/https-get", std::filesystem::copy_options::overwrite_existing);
  }

  static void stop_lab() {
    if (!lab) return;
    auto options = lab->options();
    std::vector<std::string> nodes;
    for (int i = 0; i <= options.workers; ++i) nodes.push_back(lab->node(i));
    for (int i = 2; i <= options.masters; ++i) nodes.push_back(lab->master(i));
    delete lab;  // the script's trap removes everything it made
    lab = nullptr;
    std::string netns = run_command({"ip", "netns", "list"}).out;
    EXPECT_EQ(netns.find(options.cluster + "-"), std::string::npos) << "namespaces left: " << netns;
    EXPECT_NE(run_command({"ip", "link", "show", options.bridge}).exit_code, 0) << "the LAN bridge is left";
    for (const auto& node : nodes) {
      EXPECT_EQ(run_command({"docker", "ps", "-aq", "--filter", "label=io.skiff.node=" + node}).out, "")
          << "containers of " << node << " left";
      // A node's own containerd (RUNTIME=containerd) goes with its shims, mounts and directories.
      std::string run_dir = "/run/skiff/cluster/" + node;
      EXPECT_NE(run_command({"pgrep", "-f", "containerd-shim-runc-v2 .*-address " + run_dir + "/"}).exit_code, 0)
          << "shims of " << node << "'s containerd left";
      EXPECT_FALSE(std::filesystem::exists(run_dir)) << run_dir << " left";
      EXPECT_FALSE(std::filesystem::exists("/var/lib/skiff-cluster/" + node)) << node << "'s containerd root left";
    }
    EXPECT_EQ(run_command({"grep", "-c", "/skiff/cluster/\\|/skiff-cluster/", "/proc/self/mountinfo"}).out, "0\n")
        << "mounts of the nodes' containerds left";
  }

  void TearDown() override {
    if (HasFailure() && lab)
      for (int i = 0; i <= lab->options().workers; ++i)
        std::cerr << "---- " << lab->node(i) << " (last lines)\n" << tail(data + "/" + lab->node(i) + ".log", 40);
  }

  static CommandResult kubectl(const std::vector<std::string>& args, const std::string& input = "") {
    return lab->kubectl(args, input);
  }

  static std::string ok(const std::vector<std::string>& args, const std::string& input = "") {
    auto result = kubectl(args, input);
    if (result.exit_code != 0) ADD_FAILURE() << "kubectl " << args.front() << ": " << result.both();
    return result.out;
  }

  static std::string in_netns(const std::string& netns, const std::vector<std::string>& command) {
    std::vector<std::string> argv{"ip", "netns", "exec", netns};
    argv.insert(argv.end(), command.begin(), command.end());
    return run_command(argv).both();
  }

  static std::string tail(const std::string& file, int lines) {
    return run_command({"tail", "-n", std::to_string(lines), file}).out;
  }

  // A pod on `node` with containers given as YAML list items (indented by 2), /tools mounted.
  static void create_pod(const std::string& name, const std::string& node, const std::string& containers,
                         const std::string& labels = "test: cluster") {
    ok({"apply", "-f", "-"},
       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  labels: {" + labels + "}\nspec:\n"
       "  nodeSelector: {kubernetes.io/hostname: " + node + "}\n"
       "  terminationGracePeriodSeconds: 1\n"
       "  volumes: [{name: tools, hostPath: {path: " + data + "/tools}}]\n"
       "  containers:\n" + containers);
  }

  static std::string container(const std::string& name, const std::string& command, const std::string& extra = "") {
    return "  - name: " + name + "\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
           "    volumeMounts: [{name: tools, mountPath: /tools}]\n"
           "    command: [sh, -c, '" + command + "']\n" + extra;
  }

  static std::string jsonpath(const std::string& what, const std::string& path) {
    return ok({"get", what, "-o", "jsonpath=" + path});
  }

  // Waits for the pod to run (and be Ready); its IP.
  static std::string running(const std::string& pod) {
    std::string ready;
    wait_until([&] {
      ready = kubectl({"get", "pod", pod, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"}).out;
      return ready == "True";
    }, 90s, 200ms);
    EXPECT_EQ(ready, "True") << ok({"describe", "pod", pod});
    return jsonpath("pod/" + pod, "{.status.podIP}");
  }

  static std::string exec(const std::string& pod, const std::string& command) {
    return kubectl({"exec", pod, "--", "sh", "-c", command}).both();
  }

  static std::map<std::string, std::string> pod_cidrs() {
    std::map<std::string, std::string> cidrs;
    std::istringstream lines(jsonpath("nodes", "{range .items[*]}{.metadata.name}={.spec.podCIDR}{\"\\n\"}{end}"));
    for (std::string line; std::getline(lines, line);)
      if (auto eq = line.find('='); eq != std::string::npos) cidrs[line.substr(0, eq)] = line.substr(eq + 1);
    return cidrs;
  }

  // A plugin's Prometheus text, asked over the bus with the node's own credentials.
  static std::string plugin_metrics(const std::string& node, const std::string& plugin) {
    YAML::Node connection = YAML::LoadFile(data + "/" + node + "/connection.yaml");
    auto bus = sdk::connect_bus(sdk::BusOptions::from_yaml(YAML::Dump(connection["bus"])));
    sdk::Subjects subjects(connection["cluster"].as<std::string>(), connection["node"].as<std::string>());
    sdk::Reply reply = bus->request(subjects.plugin_metrics(plugin), "", 5s);
    EXPECT_TRUE(reply.ok()) << reply.status.message;
    return reply.data;
  }

  static bool in_cidr(const std::string& ip, const std::string& cidr) {
    auto block = sdk::Ipv4Cidr::parse(cidr);
    auto address = sdk::parse_ipv4(ip);
    return block && address && block->contains(*address);
  }
};

}  // namespace skiff::test
