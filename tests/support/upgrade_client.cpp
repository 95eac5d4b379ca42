// OpenSSL on a plain socket, so that poll() can bound every wait.
#include "upgrade_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace skiff::test {
namespace {

using namespace std::chrono_literals;

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

UpgradeClient::UpgradeClient(int port, const std::string& ca_file, const std::string& token, const std::string& method,
                             const std::string& target, const Headers& headers) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw std::runtime_error("cannot connect to the apiserver on 127.0.0.1:" + std::to_string(port));
  context_ = SSL_CTX_new(TLS_client_method());
  if (SSL_CTX_load_verify_locations(context_, ca_file.c_str(), nullptr) != 1)
    throw std::runtime_error("cannot load the apiserver's CA from " + ca_file);
  SSL_CTX_set_verify(context_, SSL_VERIFY_PEER, nullptr);
  tls_ = SSL_new(context_);
  SSL_set_fd(tls_, fd_);
  if (SSL_connect(tls_) != 1) throw std::runtime_error("the TLS handshake with the apiserver failed");

  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  if (!write(request)) throw std::runtime_error("cannot send the upgrade request");
  read_head(Clock::now() + 30s);
}

UpgradeClient::~UpgradeClient() {
  if (tls_) SSL_free(tls_);
  if (context_) SSL_CTX_free(context_);
  if (fd_ >= 0) ::close(fd_);
}

std::string UpgradeClient::header(const std::string& name) const {
  auto it = headers_.find(lowercase(name));
  return it == headers_.end() ? "" : it->second;
}

bool UpgradeClient::write(std::string_view bytes) {
  while (!bytes.empty()) {
    int n = SSL_write(tls_, bytes.data(), static_cast<int>(bytes.size()));
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool UpgradeClient::fill(Clock::time_point deadline) {
  if (ended_) return false;
  if (SSL_pending(tls_) == 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd ready{fd_, POLLIN, 0};
    if (left <= 0 || ::poll(&ready, 1, static_cast<int>(left)) <= 0) return false;
  }
  char buffer[16384];
  int n = SSL_read(tls_, buffer, sizeof buffer);
  if (n > 0) {
    pending_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  int error = SSL_get_error(tls_, n);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return true;  // a record in parts, or a ticket
  ended_ = true;
  return false;
}

bool UpgradeClient::has(std::size_t size, Clock::time_point deadline) {
  while (pending_.size() < size)
    if (!fill(deadline)) return false;
  return true;
}

bool UpgradeClient::read_exactly(std::size_t size, Clock::time_point deadline, std::string& out) {
  if (!has(size, deadline)) return false;
  out = pending_.substr(0, size);
  pending_.erase(0, size);
  return true;
}

void UpgradeClient::read_head(Clock::time_point deadline) {
  std::size_t end;
  while ((end = pending_.find("\r\n\r\n")) == std::string::npos)
    if (!fill(deadline)) throw std::runtime_error("no answer to the upgrade request: " + pending_);
  std::string head = pending_.substr(0, end);
  pending_.erase(0, end + 4);
  std::size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  status_ = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
  while (line_end != std::string::npos) {
    std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    headers_[lowercase(line.substr(0, colon))] = value;
  }
  if (status_ != 101 && !header("Content-Length").empty())
    read_exactly(std::stoul(header("Content-Length")), deadline, body_);
}

}  // namespace skiff::test
