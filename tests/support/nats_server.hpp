// A real nats-server for a test: loopback, a free port, a token; restartable on the same port.
#pragma once

#include <sys/types.h>

#include <string>

#include "skiff/sdk/bus_options.hpp"
#include "temp_dir.hpp"

namespace skiff::test {

class NatsServer {
 public:
  NatsServer();  // starts it
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
  sdk::BusOptions options() const;
  // The `bus:` block of a profile that joins this server.
  std::string profile_bus_yaml() const;

 private:
  TempDir dir_;
  int port_;
  std::string token_ = "test-secret-token";
  pid_t pid_ = -1;
};

}  // namespace skiff::test
