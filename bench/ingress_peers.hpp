// The processes around Skiff's proxy in ingress_bench: three nginx backends, and nginx and
// haproxy as peer proxies over the same rule set, each from config files in a temp dir, in the
// foreground (killed when the object goes), one worker each.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ingress_rules.hpp"
#include "skiff/testing/process.hpp"

namespace skiff::bench {

struct PeerProcess {
  std::string name;
  int port = 0;
  std::string config;  // the config file it was started with
  std::string log;     // its stdout/stderr (nginx: also its error_log)
  std::unique_ptr<test::ChildProcess> process;
  PeerProcess() = default;
  PeerProcess(PeerProcess&&) = default;
  PeerProcess& operator=(PeerProcess&&) = default;
  ~PeerProcess();  // SIGTERM (nginx's master stops its workers), then waits
};

// nginx answering every request with 200 and a fixed 13-byte body, one worker.
PeerProcess start_backend(const std::string& directory, int index, int port);

// nginx as ingress-nginx would route `rules`: one server block per host, a location per path,
// one upstream of `backend_ports` with keep-alive; 404 from a default server.
void write_nginx_proxy_conf(const std::string& path, const std::string& directory, int port, const RuleSet& rules,
                            const std::vector<int>& backend_ports);
PeerProcess start_nginx_proxy(const std::string& directory, int port, const RuleSet& rules, const std::vector<int>& backend_ports);
// `nginx -s reload` for that config (throws with its output when it fails).
void reload_nginx(const PeerProcess& nginx);

// haproxy as haproxy-ingress routes: Host + path prefix looked up in a map (map_beg), one
// round-robin backend with `http-reuse always`, 404 when nothing matches.
PeerProcess start_haproxy(const std::string& directory, int port, const RuleSet& rules, const std::vector<int>& backend_ports);

// Waits until a GET for `host` answers 200; throws naming the process and its log.
void wait_serving(const PeerProcess& peer, const std::string& host, std::chrono::seconds deadline = std::chrono::seconds(15));

// CPU time of a process and of its children (nginx's master and workers).
double tree_cpu_seconds(pid_t pid);

}  // namespace skiff::bench
