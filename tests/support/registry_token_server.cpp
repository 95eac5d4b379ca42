// The token server: one thread, one request per connection, RS256 with OpenSSL.
#include "registry_token_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

#include "command.hpp"
#include "skiff/testing/process.hpp"

namespace skiff::test {

namespace {

std::string base64(const std::string& bytes, bool url) {
  std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  if (!url) return out;
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::string url_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i] == '+' ? ' ' : text[i]);
    }
  }
  return out;
}

std::string sign_rs256(const std::string& key_file, const std::string& input) {
  std::unique_ptr<FILE, decltype(&fclose)> file(fopen(key_file.c_str(), "r"), &fclose);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(PEM_read_PrivateKey(file.get(), nullptr, nullptr, nullptr),
                                                          &EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get());
  std::size_t size = 0;
  EVP_DigestSign(context.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string signature(size, '\0');
  EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  signature.resize(size);
  return signature;
}

// "repository:skiff/busybox:pull,push" as the token's access entry.
std::string access_entry(const std::string& scope) {
  auto first = scope.find(':'), last = scope.rfind(':');
  if (first == std::string::npos || first == last) return "";
  std::string actions = scope.substr(last + 1), list;
  for (std::size_t at = 0; at <= actions.size();) {
    auto comma = actions.find(',', at);
    std::string action = actions.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    list += (list.empty() ? "\"" : ",\"") + action + "\"";
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return "{\"type\":\"" + scope.substr(0, first) + "\",\"name\":\"" + scope.substr(first + 1, last - first - 1) +
         "\",\"actions\":[" + list + "]}";
}

}  // namespace

RegistryTokenServer::RegistryTokenServer() {
  auto made = run_command({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir_.file("key.pem"),
                           "-out", dir_.file("cert.pem"), "-subj", "/CN=skiff-test-token", "-days", "1"});
  auto der = run_command({"openssl", "x509", "-in", dir_.file("cert.pem"), "-outform", "DER", "-out", dir_.file("cert.der")});
  if (made.exit_code != 0 || der.exit_code != 0) throw std::runtime_error("openssl: " + made.both() + der.both());
  certificate_der_base64_ = base64(read_file(dir_.file("cert.der")), false);
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("the token server cannot listen");
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

RegistryTokenServer::~RegistryTokenServer() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  ::close(listener_);
  thread_.join();
}

std::string RegistryTokenServer::registry_auth_config() const {
  return "auth:\n  token:\n    realm: " + realm() + "\n    service: " + service() + "\n    issuer: " + issuer() +
         "\n    rootcertbundle: " + certificate() + "\n";
}

void RegistryTokenServer::serve() {
  while (!stopping_) {
    int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::string request;
    char buffer[4096];
    ssize_t n;
    while (request.find("\r\n\r\n") == std::string::npos && (n = ::read(client, buffer, sizeof buffer)) > 0)
      request.append(buffer, static_cast<std::size_t>(n));
    auto space = request.find(' ');
    std::string target = request.substr(space + 1, request.find(' ', space + 1) - space - 1);
    std::string response = answer(target);
    (void)!::write(client, response.data(), response.size());
    ::close(client);
  }
}

std::string RegistryTokenServer::answer(const std::string& target) {
  auto reply = [](int status, const std::string& body) {
    return "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Unauthorized") +
           "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
  };
  if (refuse_) return reply(401, R"({"errors":[{"code":"DENIED","message":"the test's token server refuses"}]})");
  std::string access;
  std::string query = target.find('?') == std::string::npos ? "" : target.substr(target.find('?') + 1);
  for (std::size_t at = 0; at < query.size();) {
    auto amp = query.find('&', at);
    std::string pair = query.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    if (pair.rfind("scope=", 0) == 0)
      if (auto entry = access_entry(url_decode(pair.substr(6))); !entry.empty())
        access += (access.empty() ? "" : ",") + entry;
    if (amp == std::string::npos) break;
    at = amp + 1;
  }
  long now = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
  std::string header = R"({"typ":"JWT","alg":"RS256","x5c":[")" + certificate_der_base64_ + "\"]}";
  std::string claims = "{\"iss\":\"" + issuer() + "\",\"sub\":\"skiff\",\"aud\":\"" + service() +
                       "\",\"exp\":" + std::to_string(now + 600) + ",\"nbf\":" + std::to_string(now - 10) +
                       ",\"iat\":" + std::to_string(now) + ",\"jti\":\"" + std::to_string(issued_ + 1) +
                       "\",\"access\":[" + access + "]}";
  std::string input = base64(header, true) + "." + base64(claims, true);
  std::string token = input + "." + base64(sign_rs256(dir_.file("key.pem"), input), true);
  ++issued_;
  return reply(200, "{\"token\":\"" + token + "\",\"expires_in\":600}");
}

}  // namespace skiff::test
