// A tiny token server for a docker-registry configured with `auth: token`: it answers GET
// /token?service=…&scope=repository:<name>:<actions> with a JWT (RS256, the signing certificate
// in its `x5c` header, as the registry verifies against its rootcertbundle) granting exactly the
// scopes asked for — or, when told to refuse, 401 with a registry-style error. Its key and
// certificate are made with openssl(1) in a temp dir.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "skiff/testing/temp_dir.hpp"

namespace skiff::test {

class RegistryTokenServer {
 public:
  RegistryTokenServer();  // listens on 127.0.0.1, a free port; throws std::runtime_error
  ~RegistryTokenServer();

  std::string realm() const { return "http://127.0.0.1:" + std::to_string(port_) + "/token"; }
  std::string service() const { return "skiff-test-registry"; }
  std::string issuer() const { return "skiff-test-issuer"; }
  std::string certificate() const { return dir_.file("cert.pem"); }  // the registry's rootcertbundle
  // The registry config's auth block (indented for the top level of config.yml).
  std::string registry_auth_config() const;
  int tokens_issued() const { return issued_; }
  void refuse(bool refuse) { refuse_ = refuse; }

 private:
  void serve();
  std::string answer(const std::string& target);

  TempDir dir_;
  int listener_ = -1;
  int port_ = 0;
  std::string certificate_der_base64_;
  std::atomic<int> issued_{0};
  std::atomic<bool> refuse_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace skiff::test
