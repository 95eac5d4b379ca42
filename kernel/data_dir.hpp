// The node's state directory: default location, exclusive lock, and the connection file tools read.
#pragma once

#include <string>

namespace skiff::kernel {

// /var/lib/skiff as root, otherwise $XDG_DATA_HOME/skiff or ~/.local/share/skiff.
std::string default_data_dir();

// Holds an flock on <dir>/skiffd.lock so two kernels never share a data dir.
class DataDirLock {
 public:
  // Creates the dir (0700) and locks it; throws std::runtime_error naming the other skiffd's pid.
  explicit DataDirLock(const std::string& dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  int fd_ = -1;
};

// What `skiffd status` and later local tools need to join this node's bus.
struct ConnectionInfo {
  std::string cluster;
  std::string node;
  std::string bus_yaml;
};

// <dir>/connection.yaml, mode 0600 (it holds the bus secret).
std::string connection_file(const std::string& dir);
void write_connection_info(const std::string& dir, const ConnectionInfo& info);
// Throws std::runtime_error saying no skiffd runs with that data dir.
ConnectionInfo read_connection_info(const std::string& dir);

}  // namespace skiff::kernel
