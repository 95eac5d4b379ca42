// Docker Swarm as the peer of the replicas benchmark: init (loopback), one service, leave.
#include "docker_swarm.hpp"

#include <chrono>
#include <cstdio>

#include "command.hpp"
#include "wait.hpp"

namespace skiff::bench {

namespace {

using namespace std::chrono;

constexpr const char* kService = "skiff-bench-replicas";

std::string docker_out(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"docker"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = test::run_command(argv);
  return result.exit_code == 0 ? result.out : "";
}

int running_tasks() {
  auto out = docker_out({"ps", "-q", "--filter", std::string("label=com.docker.swarm.service.name=") + kService,
                         "--filter", "status=running"});
  int lines = 0;
  for (char c : out) lines += c == '\n';
  return lines;
}

// The swarm this run made goes again; one that was there is left as found (only our service goes).
class SwarmSession {
 public:
  SwarmSession() {
    std::string state = docker_out({"info", "--format", "{{.Swarm.LocalNodeState}}"});
    if (state.rfind("active", 0) == 0) {
      usable_ = true;
      return;
    }
    // Its own address pool, so that the ingress network never shadows a route of the machine.
    auto init = test::run_command({"docker", "swarm", "init", "--advertise-addr", "127.0.0.1", "--listen-addr",
                                   "127.0.0.1:2377", "--default-addr-pool", "10.252.0.0/16"});
    if (init.exit_code != 0) {
      std::fprintf(stderr, "docker swarm init failed: %s\n", init.both().c_str());
      return;
    }
    usable_ = made_ = true;
  }
  ~SwarmSession() {
    test::run_command({"docker", "service", "rm", kService});
    test::wait_until([] { return running_tasks() == 0; }, seconds(120), milliseconds(200));
    test::wait_until([] { return docker_out({"ps", "-aq", "--filter", std::string("label=com.docker.swarm.service.name=") +
                                                          kService}).empty(); },
                     seconds(60), milliseconds(200));
    if (made_) {
      test::run_command({"docker", "swarm", "leave", "--force"});
      test::run_command({"docker", "network", "rm", "docker_gwbridge"});  // swarm init made it; leave keeps it
    }
  }
  bool usable() const { return usable_; }

 private:
  bool usable_ = false, made_ = false;
};

}  // namespace

std::optional<double> swarm_replicas_running(const std::string& image, int replicas) {
  std::string id = docker_out({"image", "inspect", "--format", "{{.Id}}", image});
  if (id.empty()) {
    std::fprintf(stderr, "no image %s in Docker (scripts/images.sh builds it)\n", image.c_str());
    return std::nullopt;
  }
  id.erase(id.find_last_not_of('\n') + 1);
  SwarmSession swarm;
  if (!swarm.usable()) return std::nullopt;
  auto start = steady_clock::now();
  auto create = test::run_command({"docker", "service", "create", "--detach", "--name", kService,
                                   "--replicas", std::to_string(replicas), id, "sleep", "3600"});
  if (create.exit_code != 0) {
    std::fprintf(stderr, "docker service create failed: %s\n", create.both().c_str());
    return std::nullopt;
  }
  if (!test::wait_until([&] { return running_tasks() == replicas; }, seconds(300), milliseconds(20))) {
    std::fprintf(stderr, "only %d of %d Swarm tasks running\n", running_tasks(), replicas);
    return std::nullopt;
  }
  return duration<double>(steady_clock::now() - start).count();
}

}  // namespace skiff::bench
