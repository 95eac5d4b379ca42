// The admin kubeconfig a node writes once its API is ready; the real kubectl uses it as is.
#pragma once

#include <string>

namespace skiff::apiserver {

struct KubeconfigParams {
  std::string server;   // https://127.0.0.1:6443
  std::string ca_pem;   // empty for plain HTTP
  std::string token;
  std::string cluster_name = "skiff";
};

std::string render_kubeconfig(const KubeconfigParams& params);
// Writes atomically with mode 0600 (it holds the admin token).
void write_kubeconfig(const std::string& path, const KubeconfigParams& params);

}  // namespace skiff::apiserver
