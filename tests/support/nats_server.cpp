// Starts nats-server through the kernel's own spawn helper and waits for its port.
#include "nats_server.hpp"

#include <signal.h>

#include <fstream>
#include <stdexcept>

#include "embedded_bus.hpp"
#include "subprocess.hpp"
#include "wait.hpp"

namespace skiff::test {

NatsServer::NatsServer() : port_(kernel::find_free_port("127.0.0.1")) { start(); }

NatsServer::~NatsServer() { stop(); }

void NatsServer::start() {
  std::string config = dir_.file("nats.conf");
  std::ofstream(config) << "listen: \"127.0.0.1:" << port_ << "\"\nauthorization { token: \"" << token_
                        << "\" }\nlog_file: \"" << dir_.file("nats.log") << "\"\n";
  kernel::SpawnOptions spawn;
  spawn.argv = {"nats-server", "-c", config};
  pid_ = kernel::spawn_process(spawn);
  // Ready when a client can connect; a fresh connection each try.
  bool ready = wait_until([&] {
    try {
      sdk::connect_bus(options());
      return true;
    } catch (const sdk::Error&) {
      return false;
    }
  });
  if (!ready) throw std::runtime_error("nats-server did not start on port " + std::to_string(port_));
}

void NatsServer::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  if (!kernel::wait_for_exit(pid_, std::chrono::seconds(5))) {
    kill(pid_, SIGKILL);
    kernel::wait_for_exit(pid_, std::chrono::seconds(5));
  }
  pid_ = -1;
}

sdk::BusOptions NatsServer::options() const {
  sdk::BusOptions options;
  options.urls = {url()};
  options.token = token_;
  return options;
}

std::string NatsServer::profile_bus_yaml() const {
  return "bus:\n  url: " + url() + "\n  token: " + token_ + "\n";
}

}  // namespace skiff::test
