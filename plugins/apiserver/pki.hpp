// A self-signed CA and the API server's certificate, generated on first start (OpenSSL).
#pragma once

#include <string>
#include <vector>

namespace skiff::apiserver {

struct TlsFiles {
  std::string ca_cert;
  std::string ca_key;
  std::string server_cert;
  std::string server_key;
};

// Reuses the files in `dir` when they exist; otherwise creates an ECDSA P-256 CA (10 years)
// and a server certificate (for `dns_names` and `ips`) signed by it. Keys are written 0600.
TlsFiles ensure_certificates(const std::string& dir, const std::vector<std::string>& dns_names,
                             const std::vector<std::string>& ips);

std::string read_file(const std::string& path);

}  // namespace skiff::apiserver
