// The generated certificate is signed by a CA of the node's own (<pki_dir>/ca.crt), so a
// scraper can trust that instead of skipping verification.
#include "kubelet_server.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "pki.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::kubelet {
namespace {

// An address a client may name in the URL (wildcards and loopback are covered otherwise).
bool specific_ip(const std::string& text) {
  unsigned char bytes[16];
  bool ip = inet_pton(AF_INET, text.c_str(), bytes) == 1 || inet_pton(AF_INET6, text.c_str(), bytes) == 1;
  return ip && text != "0.0.0.0" && text != "::" && text != "127.0.0.1";
}

}  // namespace

std::pair<std::string, int> split_server_address(const std::string& address) {
  auto colon = address.rfind(':');
  auto invalid = [&](const std::string& why) {
    return sdk::Error(sdk::Status::Invalid("kubelet config server_address: '" + address + "' " + why +
                                           " (host:port, e.g. 0.0.0.0:10250; port 0 picks a free one)"));
  };
  if (colon == std::string::npos || colon == 0) throw invalid("lacks a host:port");
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    std::size_t used = 0;
    int port = std::stoi(address.substr(colon + 1), &used);
    if (used != address.size() - colon - 1 || port < 0 || port > 65535) throw invalid("has no port 0-65535");
    return {host, port};
  } catch (const std::logic_error&) {
    throw invalid("has no numeric port");
  }
}

KubeletServer::KubeletServer(sdk::Bus& bus, const sdk::Subjects& subjects, ServerSettings settings, spdlog::logger& log,
                             NodeAuthorizer authorize)
    : settings_(std::move(settings)),
      log_(log),
      reviewer_(bus, subjects),
      routes_(bus, subjects, settings_.node, reviewer_, std::move(authorize), log) {}

KubeletServer::~KubeletServer() { stop(); }

void KubeletServer::start() {
  auto [host, port] = split_server_address(settings_.address);
  http_common::HttpServerOptions options;
  options.host = host;
  options.port = port;
  options.max_body = 64 * 1024;  // nothing here takes a body
  options.address_setting = "the kubelet's `server_address`";
  if (settings_.tls_cert_file.empty() != settings_.tls_key_file.empty())
    throw sdk::Error(sdk::Status::Invalid("kubelet config: set both tls_cert_file and tls_key_file, or neither (then a "
                                          "certificate is generated into " + settings_.pki_dir + ")"));
  if (!settings_.tls_cert_file.empty()) {
    options.tls_cert_file = settings_.tls_cert_file;
    options.tls_key_file = settings_.tls_key_file;
  } else {
    std::vector<std::string> ips = {"127.0.0.1"};
    for (const auto& ip : {settings_.node_ip, host})
      if (specific_ip(ip) && std::find(ips.begin(), ips.end(), ip) == ips.end()) ips.push_back(ip);
    auto files = http_common::ensure_certificates(
        {settings_.pki_dir, "kubelet", settings_.node + "-ca", {settings_.node, "localhost"}, ips});
    options.tls_cert_file = files.server_cert;
    options.tls_key_file = files.server_key;
    ca_file_ = files.ca_cert;
  }
  server_ = std::make_unique<http_common::HttpServer>(
      options, [this](const http_common::HttpRequest& request, http_common::HttpResponder& response) {
        routes_.handle(request, response);
      },
      log_);
  try {
    server_->start();
  } catch (const std::runtime_error& e) {
    server_.reset();
    throw sdk::Error(sdk::Status::Unavailable(std::string("kubelet: ") + e.what()));
  }
  log_.info("node {}: serving HTTPS on {}:{} (metrics, stats)", settings_.node, host, server_->port());
}

void KubeletServer::stop() {
  if (server_) server_->stop();
  server_.reset();
}

int KubeletServer::port() const { return server_ ? server_->port() : 0; }

}  // namespace skiff::kubelet
