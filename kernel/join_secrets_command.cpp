// `skiffd join-secrets --from DIR --data-dir NEW`: what every master of one cluster must share,
// copied from a master's data dir, as `kubeadm join --control-plane` copies the CA and SA keys.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "commands.hpp"
#include "data_dir.hpp"

namespace skiff::kernel {
namespace fs = std::filesystem;
namespace {

struct SharedFile {
  const char* path;  // inside the data dir
  const char* what;
};

// The bus: the master password and the route password. The API: the CA (every apiserver issues
// its own serving certificate from it, so one kubeconfig trusts them all), the key service
// account tokens are signed with (a token one apiserver issued is valid at all), and the static
// tokens (the admin's kubeconfig works on all). Node users (bus/users/*) follow below.
constexpr SharedFile kSharedFiles[] = {
    {"bus/token", "the bus's master password"},
    {"bus/route-token", "the password the masters' nats-servers route with (made when bus.cluster_port is set)"},
    {"plugins/apiserver/pki/ca.crt", "the apiserver CA"},
    {"plugins/apiserver/pki/ca.key", "the apiserver CA's key"},
    {"plugins/apiserver/pki/service-account.key", "the service account signing key"},
    {"plugins/apiserver/tokens.csv", "the static bearer tokens (the admin's)"},
};

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Copies with the source's mode into a 0700 folder; says whether anything changed.
bool copy_shared(const fs::path& from, const fs::path& to) {
  if (fs::exists(to) && file_text(from) == file_text(to)) return false;
  fs::create_directories(to.parent_path());
  fs::permissions(to.parent_path(), fs::perms::owner_all);
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  fs::permissions(to, fs::status(from).permissions());
  return true;
}

}  // namespace

int join_secrets_command(const std::string& from_dir, const std::string& data_dir) {
  try {
    fs::path from(from_dir), to(data_dir);
    std::error_code missing;  // a data dir that does not exist yet is certainly not the same
    if (fs::equivalent(from, to, missing))
      throw std::runtime_error("--from and --data-dir are the same directory; give the new master's own data dir");
    for (const auto& shared : kSharedFiles)
      if (!fs::is_regular_file(from / shared.path))
        throw std::runtime_error("no " + (from / shared.path).string() + " (" + shared.what + "); start the first "
                                 "master once (with bus.cluster_port set) so that it makes it, then join again");
    DataDirLock lock(data_dir);  // no skiffd may run on the new master's dir meanwhile
    std::vector<std::string> copied;
    for (const auto& shared : kSharedFiles)
      if (copy_shared(from / shared.path, to / shared.path)) copied.push_back(shared.path);
    // A CA that changed makes this master's serving certificate worthless: the apiserver issues a
    // new one from the shared CA at its next start.
    if (std::find(copied.begin(), copied.end(), "plugins/apiserver/pki/ca.key") != copied.end())
      for (const char* name : {"apiserver.crt", "apiserver.key"}) fs::remove(to / "plugins/apiserver/pki" / name);
    std::error_code ec;
    for (const auto& user : fs::directory_iterator(from / "bus/users", ec)) {
      if (!user.is_regular_file() || user.path().extension() == ".new") continue;
      fs::path relative = fs::path("bus/users") / user.path().filename();
      if (copy_shared(user.path(), to / relative)) copied.push_back(relative.string());
    }
    std::cout << "skiffd join-secrets: " << copied.size() << " file(s) copied from " << from_dir << " to " << data_dir
              << (copied.empty() ? " (already the same)" : "") << "\n";
    for (const auto& path : copied) std::cout << "  " << path << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "skiffd join-secrets: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace skiff::kernel
