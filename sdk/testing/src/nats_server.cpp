// Starts nats-server with a generated config and waits until a client can connect.
#include "skiff/testing/nats_server.hpp"

#include <fstream>
#include <stdexcept>

#include "skiff/sdk/bus.hpp"
#include "skiff/testing/wait.hpp"

namespace skiff::test {

NatsServer::NatsServer(NatsServerSettings settings)
    : settings_(settings), port_(free_port()) {
  if (settings_.tls) generate_certificates();
  start();
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

void NatsServer::start() {
  std::string config = dir_.file("nats.conf");
  std::ofstream out(config);
  out << "listen: \"127.0.0.1:" << port_ << "\"\nlog_file: \"" << dir_.file("nats.log") << "\"\n";
  if (settings_.auth == NatsServerSettings::Auth::Token)
    out << "authorization { token: \"" << token_ << "\" }\n";
  else  // per-node credentials: each node its own user
    out << "authorization { users: [ {user: node-1, password: secret-1}, {user: node-2, password: secret-2} ] }\n";
  if (settings_.cluster_port > 0) {
    out << "cluster { name: skiff-test, listen: \"127.0.0.1:" << settings_.cluster_port << "\", routes: [";
    for (std::size_t i = 0; i < settings_.routes.size(); ++i)
      out << (i ? ", " : "") << "\"nats-route://127.0.0.1:" << settings_.routes[i] << "\"";
    out << "] }\n";
  }
  if (settings_.tls)
    out << "tls { cert_file: \"" << dir_.file("server.pem") << "\", key_file: \"" << dir_.file("server-key.pem")
        << "\" }\n";
  out.close();
  SpawnSpec spawn;
  spawn.argv = {"nats-server", "-c", config};
  process_ = std::make_unique<ChildProcess>(spawn);
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
  if (!process_) return;
  if (!process_->terminate(std::chrono::seconds(5))) process_->kill();
  process_.reset();
}

sdk::BusOptions NatsServer::options() const {
  sdk::BusOptions options;
  options.urls = {url()};
  if (settings_.auth == NatsServerSettings::Auth::Token) {
    options.token = token_;
  } else {
    options.user = "node-1";
    options.password = "secret-1";
  }
  if (settings_.tls) options.tls_ca = ca_file();
  return options;
}

std::string NatsServer::profile_bus_yaml() const {
  return "bus:\n  url: " + url() + "\n  token: " + token_ + "\n";
}

}  // namespace skiff::test
