// Reads a kubeconfig (kubectl's format) into what a client needs to reach the API server: the
// current context's server, CA, namespace and credentials (bearer token or client certificate).
#pragma once

#include <string>

namespace skiff::kernel {

struct ApiEndpoint {
  std::string server;  // https://host:port
  std::string ca_pem;  // empty: the system's trust store
  bool insecure = false;  // insecure-skip-tls-verify
  std::string token;
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string namespace_ = "default";
};

// `path` empty: $KUBECONFIG (its first file), else ~/.kube/config, else `fallback` (this
// node's own kubeconfig). Throws std::runtime_error naming the file and what is missing.
ApiEndpoint read_kubeconfig(const std::string& path, const std::string& fallback = "");
// The kubeconfig file `path` chooses (see read_kubeconfig).
std::string kubeconfig_path(const std::string& path, const std::string& fallback);
// Standard base64 (kubeconfig *-data fields, the API's lineBase64); throws when it is not.
std::string base64_decode(const std::string& text);

}  // namespace skiff::kernel
