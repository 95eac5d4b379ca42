#include "machine.hpp"

#include "skiff/sdk/node_address.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <thread>

namespace skiff::kubelet {

namespace {

std::string first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string os_release_name() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      std::string v = line.substr(12);
      if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  return "Linux";
}

std::int64_t mem_total() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::int64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemTotal:") return kb * 1024;
  return 0;
}

}  // namespace

Machine read_machine() {
  Machine m;
  m.cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  m.memory_bytes = mem_total();
  utsname u{};
  if (uname(&u) == 0) {
    m.kernel_version = u.release;
    std::string arch = u.machine;
    m.architecture = arch == "x86_64" ? "amd64" : arch == "aarch64" ? "arm64" : arch;
  }
  m.os_image = os_release_name();
  m.machine_id = first_line("/etc/machine-id");
  m.boot_id = first_line("/proc/sys/kernel/random/boot_id");
  m.internal_ip = sdk::node_ipv4();
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  m.hostname = host;
  return m;
}

}  // namespace skiff::kubelet
