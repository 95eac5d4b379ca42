// nginx and haproxy config files, their processes, and the reload the route-change phase uses.
#include "ingress_peers.hpp"

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "bench_support.hpp"
#include "http_probe.hpp"

namespace skiff::bench {

namespace {

std::ofstream open_for_writing(const std::string& path) {
  std::ofstream file(path);
  if (!file) throw std::runtime_error("ingress_bench: cannot write " + path);
  return file;
}

// What every nginx here shares: foreground, one worker, its pid and temp files in the temp dir.
std::string nginx_main(const std::string& directory, const std::string& name) {
  return "daemon off;\nmaster_process on;\nworker_processes 1;\nuser root;\npid " + directory + "/" + name +
         ".pid;\nerror_log " + directory + "/" + name + ".log warn;\nevents { worker_connections 8192; }\n";
}

std::string nginx_http_common(const std::string& directory) {
  return "  access_log off;\n  keepalive_requests 1000000;\n  keepalive_timeout 60s;\n  client_body_temp_path " + directory +
         "/body;\n  proxy_temp_path " + directory + "/proxy;\n  fastcgi_temp_path " + directory + "/fastcgi;\n  uwsgi_temp_path " +
         directory + "/uwsgi;\n  scgi_temp_path " + directory + "/scgi;\n";
}

PeerProcess start_process(const std::string& name, int port, const std::string& config, const std::string& log,
                          std::vector<std::string> argv) {
  test::SpawnSpec spec;
  spec.argv = std::move(argv);
  spec.output_path = log;
  PeerProcess peer;
  peer.name = name;
  peer.port = port;
  peer.config = config;
  peer.log = log;
  peer.process = std::make_unique<test::ChildProcess>(spec);
  return peer;
}

PeerProcess start_nginx(const std::string& name, int port, const std::string& config, const std::string& log) {
  return start_process(name, port, config, log, {"nginx", "-c", config, "-e", log});
}

std::vector<pid_t> children_of(pid_t pid) {
  std::istringstream list(test::read_file("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children"));
  std::vector<pid_t> children;
  for (pid_t child; list >> child;) children.push_back(child);
  return children;
}

}  // namespace

PeerProcess::~PeerProcess() {
  if (process) process->terminate(std::chrono::seconds(10));
}

PeerProcess start_backend(const std::string& directory, int index, int port) {
  std::string name = "backend-" + std::to_string(index);
  std::string config = directory + "/" + name + ".conf";
  auto file = open_for_writing(config);
  file << nginx_main(directory, name) << "http {\n"
       << nginx_http_common(directory) << "  server {\n    listen 127.0.0.1:" << port
       << " reuseport;\n    default_type text/plain;\n    location / { return 200 \"hello, world\\n\"; }\n  }\n}\n";
  file.close();
  return start_nginx(name, port, config, directory + "/" + name + ".log");
}

void write_nginx_proxy_conf(const std::string& path, const std::string& directory, int port, const RuleSet& rules,
                            const std::vector<int>& backend_ports) {
  auto file = open_for_writing(path);
  file << nginx_main(directory, "nginx-proxy") << "http {\n" << nginx_http_common(directory);
  file << "  upstream backends {\n";
  for (int backend : backend_ports) file << "    server 127.0.0.1:" << backend << ";\n";
  file << "    keepalive 32;\n    keepalive_requests 1000000;\n  }\n";
  // The headers ingress-nginx sets towards upstreams, and keep-alive to them.
  file << "  proxy_http_version 1.1;\n  proxy_set_header Connection \"\";\n  proxy_set_header Host $host;\n"
       << "  proxy_set_header X-Request-ID $request_id;\n  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
       << "  proxy_set_header X-Forwarded-Host $host;\n  proxy_set_header X-Forwarded-Proto $scheme;\n"
       << "  server { listen 127.0.0.1:" << port << " default_server reuseport; return 404; }\n";
  for (const auto& host : rules.hosts) {
    file << "  server {\n    listen 127.0.0.1:" << port << ";\n    server_name " << host << ";\n";
    for (const auto& path : rules.paths) {
      std::string prefix = path == "/" ? "/" : path + "/";
      if (path != "/") file << "    location = " << path << " { proxy_pass http://backends; }\n";
      file << "    location " << prefix << " { proxy_pass http://backends; }\n";
    }
    file << "  }\n";
  }
  file << "}\n";
}

PeerProcess start_nginx_proxy(const std::string& directory, int port, const RuleSet& rules, const std::vector<int>& backend_ports) {
  std::string config = directory + "/nginx-proxy.conf";
  write_nginx_proxy_conf(config, directory, port, rules, backend_ports);
  return start_nginx("nginx", port, config, directory + "/nginx-proxy.log");
}

void reload_nginx(const PeerProcess& nginx) {
  test::SpawnSpec spec;
  spec.argv = {"nginx", "-c", nginx.config, "-e", nginx.log, "-s", "reload"};
  spec.output_path = nginx.log;
  test::ChildProcess reload(spec);
  auto code = reload.wait(std::chrono::seconds(10));
  if (code != 0) throw std::runtime_error("ingress_bench: nginx -s reload failed; its log:\n" + test::read_file(nginx.log));
}

PeerProcess start_haproxy(const std::string& directory, int port, const RuleSet& rules, const std::vector<int>& backend_ports) {
  std::string map = directory + "/routes.map", config = directory + "/haproxy.cfg";
  {
    auto file = open_for_writing(map);
    // map_beg takes the first entry that matches: longer paths first, as haproxy-ingress orders them.
    auto paths = rules.paths;
    std::sort(paths.begin(), paths.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    for (const auto& host : rules.hosts)
      for (const auto& path : paths) file << host << path << " " << host.substr(0, host.find('.')) << "\n";
  }
  auto file = open_for_writing(config);
  file << "global\n  nbthread 1\n  maxconn 4096\n  pidfile " << directory << "/haproxy.pid\n"
       << "defaults\n  mode http\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n"
       << "  timeout http-keep-alive 60s\n  option forwardfor\n  http-reuse always\n"
       << "frontend ingress\n  bind 127.0.0.1:" << port << "\n"
       << "  unique-id-format %[uuid()]\n  unique-id-header X-Request-ID\n"
       << "  http-request set-header X-Forwarded-Proto http\n  http-request set-header X-Forwarded-Host %[req.hdr(host)]\n"
       << "  http-request set-var(txn.route) base,map_beg(" << map << ")\n"
       << "  http-request return status 404 unless { var(txn.route) -m found }\n  default_backend backends\n"
       << "backend backends\n  balance roundrobin\n";
  for (std::size_t i = 0; i < backend_ports.size(); ++i) file << "  server b" << i << " 127.0.0.1:" << backend_ports[i] << "\n";
  file.close();
  return start_process("haproxy", port, config, directory + "/haproxy.log", {"haproxy", "-db", "-f", config});
}

void wait_serving(const PeerProcess& peer, const std::string& host, std::chrono::seconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (probe_get(peer.port, host).status != 200) {
    if (peer.process->wait(std::chrono::milliseconds(0)))
      throw std::runtime_error("ingress_bench: " + peer.name + " exited at start; its log:\n" + test::read_file(peer.log));
    if (std::chrono::steady_clock::now() > until)
      throw std::runtime_error("ingress_bench: " + peer.name + " does not answer 200 on 127.0.0.1:" + std::to_string(peer.port) +
                               "; its log:\n" + test::read_file(peer.log));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

double tree_cpu_seconds(pid_t pid) {
  double total = cpu_seconds(pid);
  for (pid_t child : children_of(pid)) total += tree_cpu_seconds(child);
  return total;
}

}  // namespace skiff::bench
