// Reads /proc/net/dev from inside another network namespace.
#include "net_dev.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "skiff/sdk/net_dev.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::runtime_common {

namespace rt = runtime::v1;

namespace {

// On a thread that ends afterwards: /proc/thread-self/net is the calling thread's namespace.
std::string read_net_dev_in(const std::string& netns_path, std::string& failure) {
  int ns = ::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns < 0) {
    failure = "cannot open network namespace " + netns_path + ": " + std::strerror(errno);
    return "";
  }
  int entered = ::setns(ns, CLONE_NEWNET);
  int error = errno;
  ::close(ns);
  if (entered != 0) {
    failure = "cannot enter network namespace " + netns_path + ": " + std::strerror(error) + " (run as root)";
    return "";
  }
  std::ifstream in("/proc/thread-self/net/dev");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

rt::SandboxStatsResponse sandbox_network_stats(const std::string& netns_path) {
  std::string text, failure;
  std::thread reader([&] { text = read_net_dev_in(netns_path, failure); });
  reader.join();
  if (!failure.empty()) throw sdk::Error(sdk::Status::NotFound(failure));
  rt::SandboxStatsResponse out;
  for (auto& s : sdk::parse_net_dev(text)) *out.add_interfaces() = std::move(s);
  out.set_timestamp(sdk::format_rfc3339_micro(sdk::WallClock::now()));
  return out;
}

}  // namespace skiff::runtime_common
