#include "cni_config.hpp"

#include <boost/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "skiff/sdk/status.hpp"

namespace skiff::containerd {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

// Its name sorts first among what containerd reads; the temporary names are not read at all.
constexpr const char* kConflistName = "10-skiff.conflist";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_atomically(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  // A name of this process's own: two runtimes writing the same file (tests side by side)
  // must not rename each other's temporary away.
  static std::atomic<unsigned> serial{0};
  fs::path temporary = path;
  temporary += ".writing." + std::to_string(::getpid()) + "." + std::to_string(serial++);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush())
      throw sdk::Error(sdk::Status::Internal("cannot write " + temporary.string() + ": is " +
                                             path.parent_path().string() + " writable (run as root)?"));
  }
  fs::rename(temporary, path, ec);
  if (ec) throw sdk::Error(sdk::Status::Internal("cannot write " + path.string() + ": " + ec.message()));
}

}  // namespace

std::string default_bridge_conflist(const std::string& bridge, const std::string& subnet, const std::string& ipam_dir) {
  json::object ipam{{"type", "host-local"}, {"ranges", json::array{json::array{json::object{{"subnet", subnet}}}}},
                    {"dataDir", ipam_dir}};
  json::object bridge_plugin{{"type", "bridge"},   {"bridge", bridge},      {"isGateway", true},
                             {"ipMasq", false},    {"hairpinMode", true},   {"ipam", ipam}};
  json::object portmap{{"type", "portmap"}, {"capabilities", json::object{{"portMappings", true}}}};
  json::object conflist{{"cniVersion", "0.4.0"}, {"name", "skiff-containerd"},
                        {"plugins", json::array{bridge_plugin, portmap}}};
  return json::serialize(conflist) + "\n";
}

std::string first_conflist(const std::string& dir) {
  std::error_code ec;
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    auto extension = entry.path().extension();
    if (entry.is_regular_file(ec) && (extension == ".conflist" || extension == ".conf" || extension == ".json"))
      found.push_back(entry.path());
  }
  if (found.empty()) return "";
  return std::min_element(found.begin(), found.end())->string();
}

CniConfig::CniConfig(CniConfigOptions options) : options_(std::move(options)) {}

bool CniConfig::sync() {
  std::lock_guard lock(mutex_);
  std::string network = first_conflist(options_.network_conf_dir);
  std::string wanted;
  if (!network.empty()) {
    wanted = read_file(network);
    source_ = network + " (the node's network plugin)";
  } else {
    wanted = default_bridge_conflist(options_.bridge, options_.subnet, options_.ipam_dir);
    fs::path own = fs::path(options_.own_conf_dir) / kConflistName;
    if (read_file(own) != wanted) write_atomically(own, wanted);
    source_ = own.string() + " (runtime-containerd's default bridge " + options_.bridge + " on " + options_.subnet +
              ": no network plugin's conflist in " + options_.network_conf_dir + ")";
  }
  fs::path target = fs::path(options_.containerd_conf_dir) / kConflistName;
  if (read_file(target) == wanted) return false;
  write_atomically(target, wanted);
  return true;
}

std::string CniConfig::source() const {
  std::lock_guard lock(mutex_);
  return source_;
}

}  // namespace skiff::containerd
