// scripts/images.sh, run once per process.
#include "test_images.hpp"

#include <stdexcept>
#include <string>

#include "command.hpp"

namespace skiff::test {

void import_test_images() {
  static const bool imported = [] {
    auto images = run_command({std::string(SKIFF_SOURCE_DIR) + "/scripts/images.sh"});
    if (images.exit_code != 0) throw std::runtime_error("scripts/images.sh: " + images.both());
    return true;
  }();
  (void)imported;
}

}  // namespace skiff::test
