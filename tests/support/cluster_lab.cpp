// Runs scripts/cluster.sh up in the background and waits for the kubeconfig it writes once
// every node is Ready.
#include "cluster_lab.hpp"

#include <filesystem>
#include <stdexcept>

#include "skiff/testing/wait.hpp"

namespace skiff::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string script_path() { return std::string(SKIFF_SOURCE_DIR) + "/scripts/cluster.sh"; }

}  // namespace

ClusterLab::ClusterLab(ClusterLabOptions options) : options_(std::move(options)) {
  script({"down"});                   // what an interrupted run left
  fs::remove_all(options_.data_dir);  // from nothing: no objects of an earlier run
  fs::create_directories(options_.data_dir);
  std::string log = options_.data_dir + "-script.log";
  fs::remove(log);
  process_ = std::make_unique<ChildProcess>(SpawnSpec{{script_path(), "up"}, environment(), "", log, ""});
  bool up = wait_until([&] { return fs::exists(kubeconfig()) || process_->wait(0ms); }, 240s, 200ms);
  if (!up || !fs::exists(kubeconfig())) throw std::runtime_error("the cluster did not come up:\n" + read_file(log));
}

ClusterLab::~ClusterLab() {
  if (process_) process_->terminate(120s);
}

std::vector<std::string> ClusterLab::environment() const {
  std::vector<std::string> env{"NODES=" + std::to_string(options_.workers), "DATA_DIR=" + options_.data_dir,
                               "LAN=" + options_.lan,  "BRIDGE=" + options_.bridge,
                               "CLUSTER=" + options_.cluster, "NETWORK=" + options_.network,
                               "RUNTIME=" + options_.runtime};
  if (!options_.lb_pool.empty()) env.push_back("LB_POOL=" + options_.lb_pool);
  if (options_.cloud_routes) env.push_back("CLOUD_ROUTES=1");
  if (options_.masters != 1) env.push_back("MASTERS=" + std::to_string(options_.masters));
  if (!options_.cloud.empty()) env.push_back("CLOUD=" + options_.cloud);
  return env;
}

std::string ClusterLab::node(int worker) const {
  return worker == 0 ? master(1) : options_.cluster + "-worker-" + std::to_string(worker);
}

std::string ClusterLab::node_ip(int worker) const {
  return worker == 0 ? master_ip(1) : options_.lan + "." + std::to_string(10 + worker);
}

std::string ClusterLab::master(int i) const {
  return options_.cluster + (options_.masters == 1 ? "-master" : "-master-" + std::to_string(i));
}

std::string ClusterLab::master_ip(int i) const {
  return options_.lan + "." + std::to_string(options_.masters == 1 ? 10 : 100 + i);
}

CommandResult ClusterLab::kubectl(const std::vector<std::string>& args, const std::string& input) const {
  std::vector<std::string> argv{"/usr/bin/kubectl"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, {"KUBECONFIG=" + kubeconfig()}, 60s, input);
}

CommandResult ClusterLab::script(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{script_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, environment(), 120s);
}

}  // namespace skiff::test
