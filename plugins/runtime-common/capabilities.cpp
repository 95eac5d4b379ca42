// Linux capability names: the kernel's list by bit number and one spelling for a user's name.
#include "capabilities.hpp"

#include <algorithm>
#include <cctype>

namespace skiff::runtime_common {

const std::vector<std::string>& capability_names() {
  static const std::vector<std::string> all{
      "CAP_CHOWN",          "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",      "CAP_FSETID",
      "CAP_KILL",           "CAP_SETGID",       "CAP_SETUID",          "CAP_SETPCAP",     "CAP_LINUX_IMMUTABLE",
      "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",    "CAP_NET_RAW",     "CAP_IPC_LOCK",
      "CAP_IPC_OWNER",      "CAP_SYS_MODULE",   "CAP_SYS_RAWIO",       "CAP_SYS_CHROOT",  "CAP_SYS_PTRACE",
      "CAP_SYS_PACCT",      "CAP_SYS_ADMIN",    "CAP_SYS_BOOT",        "CAP_SYS_NICE",    "CAP_SYS_RESOURCE",
      "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",         "CAP_LEASE",       "CAP_AUDIT_WRITE",
      "CAP_AUDIT_CONTROL",  "CAP_SETFCAP",      "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",   "CAP_SYSLOG",
      "CAP_WAKE_ALARM",     "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",     "CAP_PERFMON",     "CAP_BPF",
      "CAP_CHECKPOINT_RESTORE"};
  return all;
}

std::string oci_capability_name(std::string_view name) {
  std::string upper(name);
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return upper.rfind("CAP_", 0) == 0 || upper == "ALL" ? upper : "CAP_" + upper;
}

bool is_capability(std::string_view oci_name) {
  const auto& all = capability_names();
  return std::find(all.begin(), all.end(), oci_name) != all.end();
}

}  // namespace skiff::runtime_common
