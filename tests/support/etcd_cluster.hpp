// A real etcd cluster for a test (Debian's etcd-server): one or three members on loopback
// ports, fast elections, data in a temp dir; members can be killed and started again.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "skiff/testing/process.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace skiff::test {

// Raft timing: the tests' fast elections by default; etcd's own defaults are 100 / 1000 ms.
struct EtcdTiming {
  int heartbeat_ms = 50;
  int election_timeout_ms = 500;
};

class EtcdCluster {
 public:
  // Starts every member and waits until the cluster is healthy. tls: clients must speak TLS
  // (a throwaway CA and a certificate for 127.0.0.1 are made with openssl) and show a client
  // certificate signed by that CA.
  explicit EtcdCluster(int members = 1, bool tls = false, EtcdTiming timing = {});
  ~EtcdCluster();

  int size() const { return static_cast<int>(members_.size()); }
  std::vector<std::string> endpoints() const;  // 127.0.0.1:PORT per member
  std::string endpoints_yaml() const;          // [127.0.0.1:PORT, …]
  std::string endpoint(int member) const;

  void kill(int member);   // SIGKILL
  void start(int member);  // again, on its data
  bool running(int member) const { return members_[member].process != nullptr; }
  // etcdctl against the members that run.
  CommandResult etcdctl(const std::vector<std::string>& args) const;
  std::string ca_file() const { return dir_.file("ca.pem"); }
  std::string client_cert() const { return dir_.file("client.pem"); }
  std::string client_key() const { return dir_.file("client-key.pem"); }
  // etcdctl logs in as this user from now on (after `auth enable`).
  void log_in_as(std::string user) { user_ = std::move(user); }

 private:
  struct Member {
    std::string name;
    int client_port;
    int peer_port;
    std::unique_ptr<ChildProcess> process;
  };
  struct Health {
    bool ok = false;
    int exited = -1;  // a member whose process ended, and its exit code
    int exit_code = 0;
  };
  void launch_new_cluster(int members);  // on new ports, new data
  void launch(Member& member, bool initial);
  Health await_health() const;
  [[noreturn]] void fail(const Health& health) const;  // names what failed, with every member's log
  void wait_healthy() const;
  void generate_certificates() const;

  TempDir dir_;
  std::vector<Member> members_;
  std::string initial_cluster_;
  bool tls_;
  std::string user_;
  EtcdTiming timing_;
};

}  // namespace skiff::test
