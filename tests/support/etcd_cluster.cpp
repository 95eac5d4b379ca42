#include "etcd_cluster.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "wait.hpp"

namespace skiff::test {

using namespace std::chrono_literals;

EtcdCluster::EtcdCluster(int members, bool tls, EtcdTiming timing) : tls_(tls), timing_(timing) {
  if (find_program("etcd").empty())
    throw std::runtime_error("etcd is not installed: apt-get install etcd-server etcd-client (scripts/deps.sh test)");
  if (tls_) generate_certificates();
  // free_port() only says a port is free now: a test running alongside may take it before
  // etcd binds it, and the member that lost exits at once. Then all start over on new ports.
  for (int attempt = 1;; ++attempt) {
    launch_new_cluster(members);
    Health health = await_health();
    if (health.ok) return;
    if (health.exited < 0 || attempt == 3) fail(health);
    for (auto& m : members_) {
      m.process.reset();
      std::filesystem::remove_all(dir_.file(m.name));
    }
  }
}

void EtcdCluster::launch_new_cluster(int members) {
  members_.clear();
  initial_cluster_.clear();
  for (int i = 0; i < members; ++i) {
    Member m{"m" + std::to_string(i), free_port(), free_port(), nullptr};
    initial_cluster_ += (i ? "," : "") + m.name + "=http://127.0.0.1:" + std::to_string(m.peer_port);
    members_.push_back(std::move(m));
  }
  for (auto& m : members_) launch(m, true);
}

EtcdCluster::~EtcdCluster() {
  for (auto& m : members_) m.process.reset();  // SIGKILL: the data goes with the temp dir
}

void EtcdCluster::launch(Member& m, bool initial) {
  std::string client = (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(m.client_port);
  std::string peer = "http://127.0.0.1:" + std::to_string(m.peer_port);
  SpawnSpec spec;
  spec.argv = {"etcd", "--name", m.name, "--data-dir", dir_.file(m.name), "--listen-client-urls", client,
               "--advertise-client-urls", client, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
               "--initial-cluster", initial_cluster_, "--initial-cluster-state", initial ? "new" : "existing",
               "--initial-cluster-token", "skiff-test", "--heartbeat-interval", std::to_string(timing_.heartbeat_ms),
               "--election-timeout", std::to_string(timing_.election_timeout_ms),
               "--logger", "zap", "--log-level", "error"};
  if (tls_)
    spec.argv.insert(spec.argv.end(), {"--cert-file", dir_.file("server.pem"), "--key-file", dir_.file("server-key.pem"),
                                       "--trusted-ca-file", ca_file(), "--client-cert-auth"});
  spec.output_path = dir_.file(m.name + ".log");
  m.process = std::make_unique<ChildProcess>(spec);
}

std::vector<std::string> EtcdCluster::endpoints() const {
  std::vector<std::string> out;
  for (int i = 0; i < size(); ++i) out.push_back(endpoint(i));
  return out;
}

std::string EtcdCluster::endpoint(int member) const {
  return "127.0.0.1:" + std::to_string(members_[member].client_port);
}

std::string EtcdCluster::endpoints_yaml() const {
  std::string out = "[";
  for (int i = 0; i < size(); ++i) out += (i ? ", " : "") + endpoint(i);
  return out + "]";
}

CommandResult EtcdCluster::etcdctl(const std::vector<std::string>& args) const {
  std::string live;
  for (int i = 0; i < size(); ++i)
    if (running(i)) live += (live.empty() ? "" : ",") + endpoint(i);
  std::vector<std::string> argv = {"etcdctl", "--endpoints", live, "--command-timeout", "5s"};
  if (tls_) argv.insert(argv.end(), {"--cacert", ca_file(), "--cert", client_cert(), "--key", client_key()});
  if (!user_.empty()) argv.insert(argv.end(), {"--user", user_});
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, {"ETCDCTL_API=3"});
}

EtcdCluster::Health EtcdCluster::await_health() const {
  Health health;
  health.ok = wait_until([&] {
    for (int i = 0; i < size() && health.exited < 0; ++i)
      if (members_[i].process)
        if (auto code = members_[i].process->wait(std::chrono::milliseconds(0))) {
          health.exited = i;
          health.exit_code = *code;
        }
    return health.exited >= 0 || etcdctl({"endpoint", "health"}).exit_code == 0;
  }, 30s);
  health.ok = health.ok && health.exited < 0;
  return health;
}

void EtcdCluster::fail(const Health& health) const {
  std::string what = health.exited < 0 ? "etcd did not become healthy within 30 s"
                                       : "etcd member " + members_[health.exited].name + " exited with code " +
                                             std::to_string(health.exit_code) + " while starting";
  for (const auto& m : members_) what += "; " + m.name + "'s log: " + read_file(dir_.file(m.name + ".log"));
  throw std::runtime_error(what);
}

void EtcdCluster::wait_healthy() const {
  Health health = await_health();
  if (!health.ok) fail(health);
}

void EtcdCluster::generate_certificates() const {
  std::string script =
      "set -e; cd '" + dir_.path() + "'; "
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=skiff-etcd-ca -keyout ca-key.pem -out ca.pem; "
      "openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server-key.pem -out server.csr; "
      "printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth,clientAuth' > ext.cnf; "
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 1 -extfile ext.cnf "
      "-out server.pem; "
      "openssl req -newkey rsa:2048 -nodes -subj /CN=skiff -keyout client-key.pem -out client.csr; "
      "printf 'extendedKeyUsage=clientAuth' > client.cnf; "
      "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 1 -extfile client.cnf "
      "-out client.pem";
  if (std::system(("(" + script + ") >/dev/null 2>&1").c_str()) != 0)
    throw std::runtime_error("openssl could not generate the etcd test certificates");
}

void EtcdCluster::kill(int member) { members_[member].process.reset(); }

void EtcdCluster::start(int member) {
  launch(members_[member], false);
  wait_healthy();
}

}  // namespace skiff::test
