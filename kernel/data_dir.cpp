// Data dir conventions shared by the running kernel and the skiffd CLI commands.
#include "data_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

namespace skiff::kernel {

namespace fs = std::filesystem;

std::string default_data_dir() {
  if (geteuid() == 0) return "/var/lib/skiff";
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::string(xdg) + "/skiff";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "/tmp") + "/.local/share/skiff";
}

DataDirLock::DataDirLock(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("data dir " + dir + ": cannot create it: " + ec.message() + "; pass --data-dir DIR");
  fs::permissions(dir, fs::perms::owner_all, ec);
  std::string path = (fs::path(dir) / "skiffd.lock").string();
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("data dir " + dir + ": cannot open " + path + ": " + std::strerror(errno));
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {0};
    (void)!pread(fd_, pid, sizeof pid - 1, 0);
    close(fd_);
    fd_ = -1;
    std::string owner = *pid ? " (pid " + std::string(pid) + ")" : "";
    throw std::runtime_error("data dir " + dir + " is in use by another skiffd" + owner +
                             "; stop it or pass a different --data-dir");
  }
  std::string mine = std::to_string(getpid());
  (void)!ftruncate(fd_, 0);
  (void)!pwrite(fd_, mine.data(), mine.size(), 0);
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) close(fd_);
}

std::string connection_file(const std::string& dir) { return (fs::path(dir) / "connection.yaml").string(); }

void write_connection_info(const std::string& dir, const ConnectionInfo& info) {
  YAML::Emitter out;
  out << YAML::Comment("How to join this node's bus; written by skiffd, secret: keep it 0600.");
  out << YAML::BeginMap << YAML::Key << "cluster" << YAML::Value << info.cluster << YAML::Key << "node" << YAML::Value
      << info.node << YAML::Key << "bus" << YAML::Value << YAML::Load(info.bus_yaml) << YAML::EndMap;
  std::string path = connection_file(dir);
  std::string temp = path + ".tmp";
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + temp + ": " + std::strerror(errno));
  std::string text = std::string(out.c_str()) + "\n";
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  if (!ok || rename(temp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot write " + path);
}

ConnectionInfo read_connection_info(const std::string& dir) {
  std::string path = connection_file(dir);
  std::ifstream file(path);
  if (!file)
    throw std::runtime_error("no skiffd is running with data dir " + dir + " (no " + path +
                             "); start one with `skiffd --profile allinone --data-dir " + dir +
                             "` or pass the right --data-dir");
  std::stringstream text;
  text << file.rdbuf();
  try {
    YAML::Node root = YAML::Load(text.str());
    ConnectionInfo info;
    info.cluster = root["cluster"].as<std::string>();
    info.node = root["node"].as<std::string>();
    info.bus_yaml = YAML::Dump(root["bus"]);
    return info;
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(path + " is damaged (" + e.msg + "); restart skiffd to rewrite it");
  }
}

}  // namespace skiff::kernel
