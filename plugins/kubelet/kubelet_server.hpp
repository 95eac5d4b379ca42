// The kubelet's HTTPS endpoint (10250 by default): TLS with the given certificate or one
// generated for the node on first start, callers authenticated by the API server's token
// review, the routes of KubeletRoutes.
#pragma once

#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "http_server.hpp"
#include "kubelet_routes.hpp"
#include "token_reviewer.hpp"

namespace skiff::kubelet {

struct ServerSettings {
  std::string address;  // host:port; port 0 picks a free one
  std::string tls_cert_file;  // both empty: generate into pki_dir
  std::string tls_key_file;
  std::string pki_dir;
  std::string node;
  std::string node_ip;  // in the generated certificate's names
};

class KubeletServer {
 public:
  KubeletServer(sdk::Bus& bus, const sdk::Subjects& subjects, ServerSettings settings, spdlog::logger& log,
                NodeAuthorizer authorize = allow_authenticated());
  ~KubeletServer();
  // Binds (throws sdk::Error naming the address and the config key) and starts serving.
  void start();
  void stop();
  int port() const;
  const std::string& ca_file() const { return ca_file_; }  // "" with a given certificate

 private:
  ServerSettings settings_;
  spdlog::logger& log_;
  TokenReviewer reviewer_;
  KubeletRoutes routes_;
  std::string ca_file_;
  std::unique_ptr<http_common::HttpServer> server_;
};

// "host:port" or "[v6]:port"; throws sdk::Error naming server_address when it is not.
std::pair<std::string, int> split_server_address(const std::string& address);

}  // namespace skiff::kubelet
