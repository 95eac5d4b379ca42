// A real nats-server for a test (nats-server from PATH): loopback, a free port, credentials
// always; restartable on the same port.
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
  // Options that authenticate (as user "node-1" with Auth::Users) and trust the test CA.
  sdk::BusOptions options() const;
  std::string ca_file() const { return dir_.file("ca.pem"); }
  // The `bus:` block of a profile that joins this server.
  std::string profile_bus_yaml() const;

 private:
  void generate_certificates();

  NatsServerSettings settings_;
  TempDir dir_;
  int port_;
  std::string token_ = "test-secret-token";
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace skiff::test
