// Starts nats-server with a generated config and waits until a client can connect.
#include "skiff/testing/nats_server.hpp"

#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>

#include "skiff/sdk/bus.hpp"
#include "skiff/testing/wait.hpp"

namespace skiff::test {

namespace {

std::string random_secret() {
  std::mt19937_64 rng{std::random_device{}()};
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(rng()));
  return text;
}

}  // namespace

NatsServer::NatsServer(NatsServerSettings settings)
    : settings_(settings), port_(free_port()), token_("test-" + random_secret()) {
  if (settings_.tls) generate_certificates();
  // Another test may take the free port between our probe and nats-server's bind: try another.
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (launch()) return;
    port_ = free_port();
  }
  throw std::runtime_error("nats-server did not start: every port tried was taken; see " + dir_.file("nats.log"));
}

void NatsServer::generate_certificates() {
  // A throwaway CA and a server certificate for 127.0.0.1, like an operator would issue.
  std::string d = dir_.path();
  std::string script =
      "set -e; cd '" + d + "'; "
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=skiff-test-ca -keyout ca-key.pem -out ca.pem; "
      "openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server-key.pem -out server.csr; "
      "printf 'subjectAltName=IP:127.0.0.1' > ext.cnf; "
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 1 "
      "-extfile ext.cnf -out server.pem";
  if (std::system(("(" + script + ") >/dev/null 2>&1").c_str()) != 0)
    throw std::runtime_error("openssl could not generate the test certificates");
}

NatsServer::~NatsServer() { stop(); }

void NatsServer::write_config() const {
  std::ofstream out(dir_.file("nats.conf"));
  out << "listen: \"127.0.0.1:" << port_ << "\"\nlog_file: \"" << dir_.file("nats.log") << "\"\n";
  if (settings_.auth == NatsServerSettings::Auth::Token)
    out << "authorization { token: \"" << token_ << "\" }\n";
  else  // per-node credentials: each node its own user
    out << "authorization { users: [ {user: node-1, password: " << options("node-1").password
        << "}, {user: node-2, password: " << options("node-2").password << "} ] }\n";
  if (settings_.cluster_port > 0) {
    out << "cluster { name: skiff-test, listen: \"127.0.0.1:" << settings_.cluster_port << "\", routes: [";
    for (std::size_t i = 0; i < settings_.routes.size(); ++i)
      out << (i ? ", " : "") << "\"nats-route://127.0.0.1:" << settings_.routes[i] << "\"";
    out << "] }\n";
  }
  if (settings_.jetstream)
    out << "server_name: \"test-" << port_ << "\"\njetstream { store_dir: \"" << dir_.file("jetstream")
        << "\", max_memory_store: 64MB, max_file_store: " << settings_.jetstream_max_file_store << " }\n";
  if (settings_.tls)
    out << "tls { cert_file: \"" << dir_.file("server.pem") << "\", key_file: \"" << dir_.file("server-key.pem")
        << "\" }\n";
}

bool NatsServer::launch() {
  write_config();
  SpawnSpec spawn;
  spawn.argv = {"nats-server", "-c", dir_.file("nats.conf")};
  process_ = std::make_unique<ChildProcess>(spawn);
  // Ready when a client can connect (a fresh connection each try); gone when it exited.
  bool exited = false;
  bool ready = wait_until([&] {
    if (process_->wait(std::chrono::milliseconds(0))) return exited = true;
    try {
      sdk::connect_bus(options());
      return true;
    } catch (const sdk::Error&) {
      return false;
    }
  });
  if (exited || !ready) process_.reset();
  if (!ready) throw std::runtime_error("nats-server did not answer on port " + std::to_string(port_) + " within 10 s");
  return !exited;
}

void NatsServer::start() {
  if (!launch())
    throw std::runtime_error("nats-server could not start again on port " + std::to_string(port_) +
                             " (taken by another process?); see " + dir_.file("nats.log"));
}

void NatsServer::stop() {
  if (!process_) return;
  if (!process_->terminate(std::chrono::seconds(5))) process_->kill();
  process_.reset();
}

sdk::BusOptions NatsServer::options(const std::string& user) const {
  sdk::BusOptions options;
  options.urls = {url()};
  if (settings_.auth == NatsServerSettings::Auth::Token) {
    options.token = token_;
  } else {
    options.user = user;
    options.password = "secret-" + user + "-" + token_;
  }
  if (settings_.tls) options.tls_ca = ca_file();
  return options;
}

std::string NatsServer::profile_bus_yaml() const {
  return "bus:\n  url: " + url() + "\n  token: " + token_ + "\n";
}

}  // namespace skiff::test
