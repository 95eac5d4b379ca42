#include "namespace_pin.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "skiff/sdk/status.hpp"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

namespace skiff::runc {

namespace {

std::string failure(const std::string& step) { return step + ": " + std::strerror(errno); }

void bring_up_loopback() {
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) throw std::runtime_error(failure("socket in the new network namespace"));
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool up = ::ioctl(s, SIOCGIFFLAGS, &request) == 0;
  request.ifr_flags |= IFF_UP;
  up = up && ::ioctl(s, SIOCSIFFLAGS, &request) == 0;
  ::close(s);
  if (!up) throw std::runtime_error(failure("bringing up lo"));
}

void pin(const std::string& kind, const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
  if (fd < 0) throw std::runtime_error(failure("creating " + path));
  ::close(fd);
  std::string source = "/proc/thread-self/ns/" + kind;
  if (::mount(source.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0)
    throw std::runtime_error(failure("bind-mounting " + source + " on " + path));
}

// Runs on a thread that ends afterwards: its namespaces stay pinned, the plugin's are untouched.
void make_namespaces(const PodNamespaces& ns, const std::string& hostname, bool own_network) {
  int flags = CLONE_NEWIPC | (own_network ? CLONE_NEWNET | CLONE_NEWUTS : 0);
  if (::unshare(flags) != 0) throw std::runtime_error(failure("unshare (run as root)"));
  if (own_network) {
    bring_up_loopback();
    if (!hostname.empty() && ::sethostname(hostname.data(), hostname.size()) != 0)
      throw std::runtime_error(failure("sethostname " + hostname));
    pin("net", ns.network);
    pin("uts", ns.uts);
  }
  pin("ipc", ns.ipc);
}

}  // namespace

PodNamespaces pin_pod_namespaces(const std::string& dir, const std::string& hostname, bool own_network) {
  std::filesystem::create_directories(dir);
  PodNamespaces ns{own_network ? dir + "/net" : "", own_network ? dir + "/uts" : "", dir + "/ipc"};
  std::string error;
  std::thread([&] {
    try {
      make_namespaces(ns, hostname, own_network);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }).join();
  if (!error.empty()) {
    unpin_pod_namespaces(ns);
    throw sdk::Error(sdk::Status::Internal("cannot make the pod's namespaces: " + error));
  }
  return ns;
}

void unpin_pod_namespaces(const PodNamespaces& namespaces) {
  for (const auto* path : {&namespaces.network, &namespaces.uts, &namespaces.ipc}) {
    if (path->empty()) continue;
    ::umount2(path->c_str(), MNT_DETACH);
    ::unlink(path->c_str());
  }
}

bool namespace_pinned(const std::string& path) {
  struct statfs fs {};
  return !path.empty() && ::statfs(path.c_str(), &fs) == 0 && static_cast<unsigned long>(fs.f_type) == NSFS_MAGIC;
}

}  // namespace skiff::runc
