// Every plugin built with skiff_add_plugin exports exactly one symbol: its entry point. Weak
// Boost and inline SDK symbols, std:: template instances — nothing else may leak, or two
// plugins built differently could bind to each other's copies.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "command.hpp"
#include "skiffd_process.hpp"

namespace {

using namespace skiff;

// The names `nm -D --defined-only` lists for a shared object.
std::vector<std::string> exported(const std::string& file) {
  auto nm = test::run_command({"nm", "-D", "--defined-only", "--format=posix", file});
  EXPECT_EQ(nm.exit_code, 0) << nm.both();
  std::vector<std::string> names;
  std::istringstream lines(nm.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) names.push_back(line.substr(0, line.find(' ')));
  return names;
}

void expect_only_the_entry_point(const std::string& dir, const std::string& skip = "") {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".so" || entry.path().stem() == skip) continue;
    EXPECT_EQ(exported(entry.path().string()), std::vector<std::string>{"skiff_plugin_entry"}) << entry.path();
    ++checked;
  }
  EXPECT_GT(checked, 0) << "no plugins in " << dir;
}

TEST(PluginExports, TheBuiltInPluginsExportOnlyTheirEntryPoint) { expect_only_the_entry_point(test::builtin_plugin_dir()); }

TEST(PluginExports, TheTestPluginsToo) {
  expect_only_the_entry_point(test::test_plugin_dir(), "test-not-a-plugin");  // that one is no plugin on purpose
}

}  // namespace
