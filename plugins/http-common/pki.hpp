// A self-signed CA and a server's certificate signed by it, generated on first start (OpenSSL).
#pragma once

#include <string>
#include <vector>

namespace skiff::http_common {

struct TlsFiles {
  std::string ca_cert;
  std::string ca_key;
  std::string server_cert;
  std::string server_key;
};

struct CertificateRequest {
  std::string dir;
  std::string server_name = "apiserver";  // files <dir>/<server_name>.crt|.key, CN skiff-<server_name>
  std::string ca_name = "skiff-ca";       // the CA's CN
  std::vector<std::string> dns_names;
  std::vector<std::string> ips;
};

// Reuses the files in `request.dir` when they exist (a new server certificate from the same CA
// when the one there lacks a name or IP asked for); otherwise creates an ECDSA P-256 CA (10
// years) and a server certificate (for the DNS names and IPs) signed by it. Keys are written 0600.
TlsFiles ensure_certificates(const CertificateRequest& request);

std::string read_file(const std::string& path);

}  // namespace skiff::http_common
