#include "bench_support.hpp"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <thread>

#include "wait.hpp"

namespace skiff::bench {

using namespace std::chrono;

long status_kb(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  return -1;
}

long cpu_ticks(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), {});
  std::istringstream in(text.substr(text.rfind(')') + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) in >> skip;  // state … cmajflt
  long user = 0, system = 0;
  in >> user >> system;
  return user + system;
}

double cpu_seconds(pid_t pid) { return static_cast<double>(cpu_ticks(pid)) / static_cast<double>(sysconf(_SC_CLK_TCK)); }

void wait_idle(pid_t pid) {
  test::wait_until([&] {
    long before = cpu_ticks(pid);
    std::this_thread::sleep_for(milliseconds(200));
    return cpu_ticks(pid) - before <= 2;
  }, seconds(30));
}

double plugin_metric(test::PluginNode& node, const std::string& plugin, const std::string& name) {
  sdk::Reply reply = node.bus().request(node.subjects().plugin_metrics(plugin), "", seconds(5));
  std::smatch m;
  if (reply.ok() && std::regex_search(reply.data, m, std::regex("\\n" + name + "(\\{[^}]*\\})? ([0-9.e+-]+)")))
    return std::stod(m[2]);
  return -1;
}

}  // namespace skiff::bench
