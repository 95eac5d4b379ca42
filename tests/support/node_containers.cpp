#include "node_containers.hpp"

#include <utility>
#include <vector>

#include "command.hpp"
#include "skiff/sdk/runtime/labels.hpp"

namespace skiff::test {

void remove_node_containers(const std::string& node) {
  const std::string docker = "/usr/bin/docker";
  auto listed = run_command({docker, "ps", "-aq", "--filter", std::string("label=") + sdk::label::kNode + "=" + node});
  std::vector<std::string> argv = {docker, "rm", "-f"};
  std::string id;
  for (char c : listed.out + "\n") {
    if (c != '\n') id += c;
    else if (!id.empty()) argv.push_back(std::exchange(id, ""));
  }
  if (argv.size() > 3) run_command(argv);
}

}  // namespace skiff::test
