// Certificates by `openssl req -x509`.
#include "test_certificates.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "command.hpp"

namespace skiff::ingress::test {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

TlsCertificate make_certificate(const std::string& directory, const std::string& host) {
  std::string key = directory + "/" + host + ".key", certificate = directory + "/" + host + ".crt";
  auto result = skiff::test::run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                          "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=" + host,
                                          "-addext", "subjectAltName=DNS:" + host, "-keyout", key, "-out", certificate});
  if (result.exit_code != 0) throw std::runtime_error("openssl req failed for " + host + ": " + result.both());
  return {read_file(certificate), read_file(key)};
}

}  // namespace skiff::ingress::test
