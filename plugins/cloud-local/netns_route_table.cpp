// Opening a RouteTable inside a named network namespace from a thread of its own.
#include "netns_route_table.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <thread>

#include "skiff/sdk/status.hpp"

namespace skiff::cloud_local {

namespace {

sdk::Error netns_error(const std::string& netns, const std::string& what) {
  return sdk::Error(sdk::Status::Invalid("routes_netns " + netns + ": " + what + ": " + std::strerror(errno) +
                                         " (create it with `ip netns add " + netns + "`; entering it needs root)"));
}

}  // namespace

std::unique_ptr<network::RouteTable> open_route_table(unsigned char protocol, const std::string& netns) {
  if (netns.empty()) return std::make_unique<network::RouteTable>(protocol);
  std::unique_ptr<network::RouteTable> table;
  std::exception_ptr failure;
  // The thread ends in the namespace it entered: no other work ever runs on it.
  std::thread opener([&] {
    try {
      int fd = ::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) throw netns_error(netns, "cannot open /run/netns/" + netns);
      int entered = ::setns(fd, CLONE_NEWNET);
      ::close(fd);
      if (entered != 0) throw netns_error(netns, "cannot enter it");
      table = std::make_unique<network::RouteTable>(protocol);
    } catch (...) {
      failure = std::current_exception();
    }
  });
  opener.join();
  if (failure) std::rethrow_exception(failure);
  return table;
}

}  // namespace skiff::cloud_local
