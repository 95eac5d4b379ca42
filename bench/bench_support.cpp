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

api::apps::v1::Deployment deployment(const std::string& name, int replicas, const std::string& image,
                                     const std::string& memory) {
  api::apps::v1::Deployment d;
  d.mutable_metadata()->set_name(name);
  d.mutable_metadata()->set_namespace_("default");
  d.mutable_spec()->set_replicas(replicas);
  (*d.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = name;
  auto* t = d.mutable_spec()->mutable_template_();
  (*t->mutable_metadata()->mutable_labels())["app"] = name;
  auto* c = t->mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image(image);
  (*c->mutable_resources()->mutable_requests())["cpu"] = "10m";
  if (!memory.empty()) (*c->mutable_resources()->mutable_requests())["memory"] = memory;
  return d;
}

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
