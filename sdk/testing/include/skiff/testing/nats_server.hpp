// A real nats-server for a test (nats-server from PATH): loopback, a free port, credentials
// always (its own, so a test can never talk to another test's server by mistake); restartable
// on the same port.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "skiff/sdk/bus_options.hpp"
#include "skiff/testing/process.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace skiff::test {

// How clients must authenticate, and whether the server speaks TLS only.
struct NatsServerSettings {
  enum class Auth { Token, Users } auth = Auth::Token;
  bool tls = false;  // a CA and a server cert for 127.0.0.1 are generated with openssl
  int cluster_port = 0;       // > 0: join a cluster, listening for routes here
  std::vector<int> routes;    // cluster ports of the other members
  bool jetstream = false;     // JetStream on, its files in the server's own dir (kept across restart())
  std::string jetstream_max_file_store = "1GB";  // what all streams may keep on disk
};

class NatsServer {
 public:
  explicit NatsServer(NatsServerSettings settings = {});  // starts it
  ~NatsServer();

  void start();
  void stop();
  void restart() {
    stop();
    start();
  }

  int port() const { return port_; }
  const std::string& token() const { return token_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  // Options that authenticate (as `user` with Auth::Users: node-1 or node-2) and trust the test CA.
  sdk::BusOptions options(const std::string& user = "node-1") const;
  std::string ca_file() const { return dir_.file("ca.pem"); }
  // The `bus:` block of a profile that joins this server.
  std::string profile_bus_yaml() const;

 private:
  void generate_certificates();
  void write_config() const;
  bool launch();  // false when nats-server exited before answering (its port was taken)

  NatsServerSettings settings_;
  TempDir dir_;
  int port_;
  std::string token_;  // random per server: a client of another test's server is refused
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace skiff::test
