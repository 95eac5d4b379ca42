// `skiffd node-credentials NAME`: the master mints (or re-reads) a worker's bus user, reloads its
// embedded nats-server, checks the user gets in, and prints the worker's `bus:` block.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "bus_users.hpp"
#include "commands.hpp"
#include "data_dir.hpp"
#include "skiff/sdk/bus_options.hpp"
#include "skiff/sdk/node_identity.hpp"

namespace skiff::kernel {
namespace fs = std::filesystem;
namespace {

std::string first_word(const fs::path& file) {
  std::ifstream in(file);
  std::string word;
  in >> word;
  return word;
}

// nats-server re-reads nats.conf (and users.conf) on SIGHUP.
void reload_bus(const fs::path& bus_dir) {
  std::string pid = first_word(bus_dir / "nats.pid");
  if (pid.empty() || kill(static_cast<pid_t>(std::stol(pid)), SIGHUP) != 0)
    throw std::runtime_error("cannot signal the embedded nats-server (pid file " + (bus_dir / "nats.pid").string() +
                             "); is the master's skiffd running with this --data-dir?");
}

// The reload is asynchronous: try the new user until it gets in.
void wait_until_accepted(sdk::BusOptions options) {
  options.connection_name = "skiffd node-credentials";
  options.connect_timeout = std::chrono::milliseconds(1000);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    try {
      sdk::connect_bus(options);
      return;
    } catch (const std::exception& e) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error(std::string("the bus does not accept the new user after a reload: ") + e.what() +
                                 "; see the master's <data dir>/bus/nats.log");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // nothing to wait on: the server reloads on its own
  }
}

}  // namespace

int node_credentials_command(const std::string& node, const std::string& data_dir, const std::string& url,
                             const std::string& out_file) {
  try {
    fs::path bus_dir = fs::path(data_dir) / "bus";
    std::string admin_password = first_word(bus_dir / "token");
    if (admin_password.empty())
      throw std::runtime_error("no embedded bus under " + data_dir + "; run this on the master (`bus: embedded`) "
                               "with its --data-dir");
    ConnectionInfo master = read_connection_info(data_dir);
    if (node == master.node)
      throw std::runtime_error("node " + node + " is this master itself, which keeps its own full-rights user");
    sdk::BusOptions worker;
    // Several masters: every one's URL, comma-separated, so the worker fails over between them.
    worker.urls = sdk::BusOptions::from_yaml(url.empty() ? master.bus_yaml : "url: \"" + url + "\"").urls;
    worker.user = sdk::node_bus_user(node);
    worker.password = mint_node_user(bus_dir, node);
    worker.inbox_prefix = sdk::node_inbox_prefix(node);
    write_users_conf(bus_dir, master.cluster, admin_password);
    reload_bus(bus_dir);
    wait_until_accepted(worker);
    std::string block = "# node " + node + "'s bus user, minted by `skiffd node-credentials` on " + master.node +
                        "\nbus:\n";
    std::string yaml = worker.to_yaml();
    for (std::size_t at = 0; at < yaml.size();) {
      auto end = yaml.find('\n', at);
      if (end == std::string::npos) end = yaml.size();
      block += "  " + yaml.substr(at, end - at) + "\n";
      at = end + 1;
    }
    if (out_file.empty()) {
      std::cout << block;
    } else {
      write_private_file(out_file, block);
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "skiffd node-credentials: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace skiff::kernel
