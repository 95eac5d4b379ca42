// Only what `skiffd logs` needs of the format: *-data fields are base64, file fields are read
// relative to the kubeconfig's own directory, as kubectl does.
#include "kubeconfig_reader.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <google/protobuf/stubs/strutil.h>
#include <yaml-cpp/yaml.h>

namespace skiff::kernel {
namespace {

namespace fs = std::filesystem;

std::string file_text(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot read " + path.string());
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The entry of `list` (clusters, users, contexts) called `name`, under `field`.
YAML::Node named(const YAML::Node& config, const std::string& list, const std::string& name, const std::string& field,
                 const std::string& file) {
  for (const auto& entry : config[list])
    if (entry["name"] && entry["name"].as<std::string>() == name) return entry[field];
  throw std::runtime_error(file + ": no " + list + " entry named \"" + name + "\" (named by the current context)");
}

std::string string_of(const YAML::Node& node, const char* key) {
  return node && node[key] ? node[key].as<std::string>() : std::string();
}

// The PEM from `<key>-data` (base64) or from the file `<key>`.
std::string pem_of(const YAML::Node& node, const std::string& key, const fs::path& dir) {
  std::string data = string_of(node, (key + "-data").c_str());
  if (!data.empty()) return base64_decode(data);
  std::string file = string_of(node, key.c_str());
  if (file.empty()) return "";
  fs::path path(file);
  return file_text(path.is_absolute() ? path : dir / path);
}

}  // namespace

std::string base64_decode(const std::string& text) {
  std::string out;
  if (!google::protobuf::Base64Unescape(text, &out)) throw std::runtime_error("not valid base64: " + text.substr(0, 40));
  return out;
}

std::string kubeconfig_path(const std::string& path, const std::string& fallback) {
  if (!path.empty()) return path;
  if (const char* env = std::getenv("KUBECONFIG"); env && *env) {
    std::string first(env);
    return first.substr(0, first.find(':'));
  }
  if (const char* home = std::getenv("HOME"); home && fs::exists(fs::path(home) / ".kube" / "config"))
    return (fs::path(home) / ".kube" / "config").string();
  if (!fallback.empty() && fs::exists(fallback)) return fallback;
  throw std::runtime_error("no kubeconfig: give --kubeconfig FILE, set KUBECONFIG, or write ~/.kube/config "
                           "(`skiffd kubeconfig` prints the one a node's API server wrote)");
}

ApiEndpoint read_kubeconfig(const std::string& path, const std::string& fallback) {
  std::string file = kubeconfig_path(path, fallback);
  YAML::Node config;
  try {
    config = YAML::Load(file_text(file));
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(file + " is not valid YAML: " + e.what());
  }
  std::string context_name = string_of(config, "current-context");
  if (context_name.empty()) throw std::runtime_error(file + ": no current-context; set one with kubectl config use-context");
  fs::path dir = fs::path(file).parent_path();
  YAML::Node context = named(config, "contexts", context_name, "context", file);
  YAML::Node cluster = named(config, "clusters", string_of(context, "cluster"), "cluster", file);
  YAML::Node user = named(config, "users", string_of(context, "user"), "user", file);
  ApiEndpoint out;
  out.server = string_of(cluster, "server");
  if (out.server.empty()) throw std::runtime_error(file + ": the cluster \"" + string_of(context, "cluster") + "\" has no server");
  out.ca_pem = pem_of(cluster, "certificate-authority", dir);
  out.insecure = cluster["insecure-skip-tls-verify"] && cluster["insecure-skip-tls-verify"].as<bool>();
  out.token = string_of(user, "token");
  if (std::string token_file = string_of(user, "tokenFile"); out.token.empty() && !token_file.empty()) {
    out.token = file_text(fs::path(token_file).is_absolute() ? fs::path(token_file) : dir / token_file);
    while (!out.token.empty() && (out.token.back() == '\n' || out.token.back() == '\r')) out.token.pop_back();
  }
  out.client_cert_pem = pem_of(user, "client-certificate", dir);
  out.client_key_pem = pem_of(user, "client-key", dir);
  if (std::string ns = string_of(context, "namespace"); !ns.empty()) out.namespace_ = ns;
  return out;
}

}  // namespace skiff::kernel
