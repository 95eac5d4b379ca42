// Starts nats-server from a private config file so the token never shows in `ps`.
#include "embedded_bus.hpp"


#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bus_users.hpp"
#include "logging.hpp"
#include "nats_config.hpp"
#include "skiff/sdk/free_port.hpp"
#include "subprocess.hpp"

namespace skiff::kernel {
namespace {

bool accepts_connections(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host == "0.0.0.0" ? "127.0.0.1" : host.c_str(), &address.sin_addr);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

// The master's password (once the bus's one token) lives as long as the data dir: what joined
// with it (connection.yaml) gets back in after this node restarts.
std::string kept_token(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string token;
  if (in >> token && token.size() >= 32) return token;
  token = random_secret();
  write_private_file(file, token + "\n");
  return token;
}

// Peeks without reaping: the supervisor thread owns the wait.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

}  // namespace

EmbeddedBus::EmbeddedBus(const EmbeddedBusSettings& settings, const std::string& data_dir, std::string cluster,
                         const SupervisorSettings& supervisor)
    : settings_(settings), dir_((std::filesystem::path(data_dir) / "bus").string()), cluster_(std::move(cluster)),
      supervisor_(supervisor) {}

EmbeddedBus::~EmbeddedBus() { stop(); }

void EmbeddedBus::start() {
  std::string server = find_executable(settings_.server);
  if (server.empty())
    throw std::runtime_error("embedded bus: cannot find '" + settings_.server +
                             "'; install it (apt-get install nats-server) or set bus.server in the profile");
  std::filesystem::create_directories(dir_);
  std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
  token_ = kept_token(std::filesystem::path(dir_) / "token");
  write_users_conf(dir_, cluster_, token_);
  if (settings_.port != 0) return launch(server);
  // A port picked with bind(0) may be taken, before nats-server binds it, by any connection
  // the machine opens (their source ports come from the same range): try another one.
  for (int attempt = 1;; ++attempt) {
    settings_.port = sdk::find_free_port(settings_.host);
    try {
      return launch(server);
    } catch (const std::exception&) {
      if (attempt == 3) throw;
    }
  }
}

void EmbeddedBus::launch(const std::string& server) {
  std::filesystem::path config = std::filesystem::path(dir_) / "nats.conf";
  NatsConfigInput input{settings_, dir_, cluster_, ""};
  // Made by the first master, copied to the others by `skiffd join-secrets`.
  if (settings_.cluster_port != 0) input.route_password = kept_token(std::filesystem::path(dir_) / "route-token");
  write_private_file(config, nats_config_text(input));

  ProcessSpec spec;
  spec.name = "embedded nats-server";
  spec.policy = {supervisor_.restart_backoff, supervisor_.restart_backoff_max, supervisor_.max_restarts,
                 supervisor_.restart_window, std::chrono::milliseconds(10000)};
  spec.launch = [server, config] {
    SpawnOptions options;
    options.argv = {server, "-c", config.string()};
    return LaunchedProcess{spawn_process(options), -1};
  };
  std::string host = settings_.host;
  int port = settings_.port;
  std::string log_file = (std::filesystem::path(dir_) / "nats.log").string();
  spec.wait_ready = [host, port, log_file](const LaunchedProcess& launched,
                                           std::chrono::steady_clock::time_point deadline) -> std::optional<std::string> {
    while (std::chrono::steady_clock::now() < deadline) {
      if (accepts_connections(host, port)) return std::nullopt;
      if (has_exited(launched.pid)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a port: there is no event to wait on
    }
    return "nats-server did not start listening on " + host + ":" + std::to_string(port) + "; see " + log_file;
  };
  process_ = std::make_unique<SupervisedProcess>(std::move(spec), make_logger("skiffd", spdlog::level::info));
  try {
    process_->start();
  } catch (const std::exception& e) {
    process_.reset();
    throw std::runtime_error(std::string("embedded bus: ") + e.what());
  }
}

void EmbeddedBus::stop() {
  if (process_) process_->stop(std::chrono::milliseconds(5000));
}

sdk::BusOptions EmbeddedBus::client_options() const {
  sdk::BusOptions options;
  std::string host = settings_.host == "0.0.0.0" ? "127.0.0.1" : settings_.host;
  options.urls = {"nats://" + host + ":" + std::to_string(settings_.port)};
  options.user = kBusAdminUser;
  options.password = token_;
  return options;
}

}  // namespace skiff::kernel
