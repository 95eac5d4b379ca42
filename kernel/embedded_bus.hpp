// `bus: embedded`: a supervised nats-server with generated users (kernel/bus_users.hpp).
#pragma once

#include <memory>
#include <string>

#include "profile.hpp"
#include "skiff/sdk/bus_options.hpp"
#include "supervised_process.hpp"

namespace skiff::kernel {

class EmbeddedBus {
 public:
  // Writes <data_dir>/bus/nats.conf (mode 0600) and its log next to it.
  EmbeddedBus(const EmbeddedBusSettings& settings, const std::string& data_dir, std::string cluster,
              const SupervisorSettings& supervisor);
  ~EmbeddedBus();

  // Starts nats-server and waits until it accepts connections; throws std::runtime_error.
  void start();
  void stop();
  // How the master's own connections join it (URL, user skiffd and its password).
  sdk::BusOptions client_options() const;
  pid_t pid() const { return process_ ? process_->snapshot().pid : -1; }

 private:
  // Writes nats.conf for settings_.port, starts nats-server and waits until it is ready.
  void launch(const std::string& server);

  EmbeddedBusSettings settings_;
  std::string dir_;
  std::string cluster_;
  std::string token_;
  SupervisorSettings supervisor_;
  std::unique_ptr<SupervisedProcess> process_;
};

}  // namespace skiff::kernel
