// Facts about this machine a Node reports: CPUs, memory, kernel, OS, ids, an address.
#pragma once

#include <cstdint>
#include <string>

namespace skiff::kubelet {

struct Machine {
  int cpus = 1;
  std::int64_t memory_bytes = 0;
  std::string kernel_version;
  std::string os_image;
  std::string machine_id;
  std::string boot_id;
  std::string architecture;  // amd64, arm64
  std::string internal_ip;   // the first non-loopback IPv4 address ("" if none)
  std::string hostname;
};

Machine read_machine();

}  // namespace skiff::kubelet
