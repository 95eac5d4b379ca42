// Node users and their subject permissions, as nats-server 2.9's `authorization { users }`.
#include "bus_users.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <regex>
#include <stdexcept>
#include <vector>

#include "skiff/sdk/node_identity.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::kernel {
namespace fs = std::filesystem;
namespace {

std::string quoted_list(const std::vector<std::string>& subjects) {
  std::string text = "[";
  for (const auto& subject : subjects) text += (text.size() > 1 ? ", \"" : "\"") + subject + "\"";
  return text + "]";
}

// Node names are DNS subdomains (they name Node objects), so they are safe as file names.
void check_node_name(const std::string& node) {
  static const std::regex dns_subdomain("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  if (node.empty() || node.size() > 253 || !std::regex_match(node, dns_subdomain))
    throw std::runtime_error("node name '" + node + "' is not a DNS subdomain (lower-case letters, digits, '-' and '.')");
}

}  // namespace

std::string random_secret() {
  std::random_device device;
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string secret(40, 'x');
  std::uniform_int_distribution<int> pick(0, sizeof kAlphabet - 2);
  for (char& c : secret) c = kAlphabet[pick(device)];
  return secret;
}

void write_private_file(const fs::path& path, const std::string& text) {
  // Written beside and renamed over: nats-server may read the file while it changes.
  fs::path partial = path.string() + ".new";
  int fd = open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + partial.string() + ": " + std::strerror(errno));
  fchmod(fd, 0600);
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  if (!ok) throw std::runtime_error("cannot write " + partial.string());
  fs::rename(partial, path);
}

std::string node_permissions(const std::string& cluster, const std::string& node) {
  sdk::Subjects subjects(cluster, node);
  const std::string p = subjects.prefix();
  const std::string own = p + ".node." + sdk::subject_token(node);
  std::vector<std::string> publish = {
      own + ".>",                 // its API subject, its runtimes and kubelet, its kernel's announcements
      subjects.token_review(),    // the kubelet authenticates its HTTPS callers
      p + ".logs.>",              // the log shipper's lines (JetStream acks come back as replies)
      p + ".stream.>",            // log/exec output to the stream a caller picked
  };
  std::vector<std::string> subscribe = {
      own + ".>",                              // what its plugins serve
      sdk::node_inbox_prefix(node) + ".>",     // its replies, and no one else's
      p + ".watch.>",                          // informers (Secrets and ConfigMaps denied below) …
      p + ".nodewatch.>",                      // … whose redacted events the API server relays here
      p + ".stream.*.stop", p + ".stream.*.stdin", p + ".stream.*.resize",
  };
  std::vector<std::string> subscribe_deny = {
      own + ".api.>",  // only the API server answers a node's API requests
      subjects.watch("", "Secret"), subjects.watch("", "ConfigMap"),
  };
  return "{publish: {allow: " + quoted_list(publish) + "}, subscribe: {allow: " + quoted_list(subscribe) +
         ", deny: " + quoted_list(subscribe_deny) + "}, allow_responses: true}";
}

std::map<std::string, std::string> read_node_users(const fs::path& bus_dir) {
  std::map<std::string, std::string> users;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(bus_dir / "users", ec)) {
    if (!entry.is_regular_file() || entry.path().extension() == ".new") continue;
    std::ifstream in(entry.path());
    std::string password;
    if (in >> password && password.size() >= 32) users[entry.path().filename().string()] = password;
  }
  return users;
}

std::string mint_node_user(const fs::path& bus_dir, const std::string& node) {
  check_node_name(node);
  auto users = read_node_users(bus_dir);
  if (auto found = users.find(node); found != users.end()) return found->second;
  fs::create_directories(bus_dir / "users");
  fs::permissions(bus_dir / "users", fs::perms::owner_all);
  std::string password = random_secret();
  write_private_file(bus_dir / "users" / node, password + "\n");
  return password;
}

void write_users_conf(const fs::path& bus_dir, const std::string& cluster, const std::string& admin_password) {
  std::string text = "# Written by skiffd from " + (bus_dir / "users").string() + "; regenerated at every start and\n"
                     "# by `skiffd node-credentials`.\nusers = [\n";
  text += "  {user: \"" + std::string(kBusAdminUser) + "\", password: \"" + admin_password + "\"}\n";
  for (const auto& [node, password] : read_node_users(bus_dir))
    text += "  {user: \"" + sdk::node_bus_user(node) + "\", password: \"" + password +
            "\", permissions: " + node_permissions(cluster, node) + "}\n";
  write_private_file(bus_dir / "users.conf", text + "]\n");
}

}  // namespace skiff::kernel
