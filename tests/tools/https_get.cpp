// An in-cluster HTTPS client for pods in tests (busybox's wget cannot verify a certificate and
// speaks no ECDSA-SHA256): `https-get [--ca FILE] [--token-file FILE] [--post JSON] URL`
// prints the status code on the first line and the body after it. Static, so it runs in any image.
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string out = text.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

int fail(const std::string& what) {
  std::cerr << "https-get: " << what << "\n";
  ERR_print_errors_fp(stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string ca, token, post, url;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--ca" && i + 1 < argc) ca = argv[++i];
    else if (arg == "--token-file" && i + 1 < argc) token = read_file(argv[++i]);
    else if (arg == "--post" && i + 1 < argc) post = argv[++i];
    else url = arg;
  }
  const std::string scheme = "https://";
  if (url.rfind(scheme, 0) != 0) return fail("usage: https-get [--ca FILE] [--token-file FILE] [--post JSON] https://HOST:PORT/PATH");
  std::string rest = url.substr(scheme.size());
  std::string host_port = rest.substr(0, rest.find('/'));
  std::string path = rest.find('/') == std::string::npos ? "/" : rest.substr(rest.find('/'));

  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  if (!ca.empty()) {
    if (SSL_CTX_load_verify_locations(context, ca.c_str(), nullptr) != 1) return fail("cannot read " + ca);
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  }
  BIO* bio = BIO_new_ssl_connect(context);
  BIO_set_conn_hostname(bio, host_port.c_str());
  SSL* ssl = nullptr;
  BIO_get_ssl(bio, &ssl);
  if (!ca.empty()) {  // the certificate must name the address dialled, as client-go checks
    std::string host = host_port.substr(0, host_port.rfind(':'));
    unsigned char ip[4];
    if (inet_pton(AF_INET, host.c_str(), ip) == 1) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
    else SSL_set1_host(ssl, host.c_str());
  }
  if (BIO_do_connect(bio) != 1 || BIO_do_handshake(bio) != 1) return fail("cannot connect to " + host_port);
  std::string request = (post.empty() ? "GET " : "POST ") + path + " HTTP/1.0\r\nHost: " + host_port + "\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  if (!post.empty())
    request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(post.size()) + "\r\n";
  request += "\r\n" + post;
  if (BIO_write(bio, request.data(), static_cast<int>(request.size())) != static_cast<int>(request.size()))
    return fail("cannot send the request");
  std::string response;
  char buffer[16384];
  for (int n; (n = BIO_read(bio, buffer, sizeof buffer)) > 0;) response.append(buffer, static_cast<std::size_t>(n));
  BIO_free_all(bio);
  SSL_CTX_free(context);
  auto space = response.find(' ');
  auto body = response.find("\r\n\r\n");
  if (space == std::string::npos || body == std::string::npos) return fail("no HTTP answer");
  std::cout << response.substr(space + 1, 3) << "\n" << response.substr(body + 4) << "\n";
  return 0;
}
