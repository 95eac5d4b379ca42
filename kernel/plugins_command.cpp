// Lists plugins found on the plugin path, or prints one plugin's config table.
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "plugin_library.hpp"
#include "skiff/sdk/config_schema.hpp"
#include "table_printer.hpp"

namespace skiff::kernel {
namespace {

std::string capabilities(const LoadedPlugin& p) {
  std::string out;
  for (const auto& c : p.provides) out += (out.empty() ? "" : ",") + c.name + (c.exclusive ? "!" : "");
  return out.empty() ? "-" : out;
}

std::string requirements(const LoadedPlugin& p) {
  std::string out;
  for (const auto& r : p.requires_capabilities) out += (out.empty() ? "" : ",") + r;
  return out.empty() ? "-" : out;
}

std::string api_text(const LoadedPlugin& p) {
  return p.api_min == p.api_max ? "v" + std::to_string(p.api_min)
                                : "v" + std::to_string(p.api_min) + "-v" + std::to_string(p.api_max);
}

}  // namespace

int plugins_command(const std::vector<std::string>& search_dirs, const std::string& config_of, bool markdown) {
  std::vector<LoadedPlugin> plugins;
  std::vector<std::string> problems;
  for (const auto& file : list_plugin_files(search_dirs)) {
    try {
      plugins.push_back(load_plugin(file, file));
    } catch (const PluginError& e) {
      problems.push_back(e.what());
    }
  }

  if (!config_of.empty()) {
    for (const auto& p : plugins) {
      if (p.name != config_of) continue;
      if (markdown) {
        std::cout << sdk::config_table_markdown(p.config);
        return 0;
      }
      std::cout << p.name << " " << p.version << " (" << p.kind << "): " << p.description << "\n";
      std::cout << "file: " << p.file << "\n\n";
      if (p.config.empty()) {
        std::cout << "This plugin has no config keys.\n";
        return 0;
      }
      TablePrinter table({"KEY", "TYPE", "DEFAULT", "VALUES", "DESCRIPTION"});
      for (const auto& key : p.config) {
        std::string values = sdk::describe_constraint(key);
        table.add({key.name, std::string(sdk::to_string(key.type)),
                   !key.default_value ? "(required)" : key.default_value->empty() ? "-" : *key.default_value,
                   values.empty() ? "-" : values, key.description});
      }
      table.print(std::cout);
      return 0;
    }
    std::cerr << "skiffd: no plugin named '" << config_of << "' on the plugin path; `skiffd plugins` lists them\n";
    return 1;
  }

  if (plugins.empty()) {
    std::cout << "No plugins found in:";
    for (const auto& dir : search_dirs) std::cout << " " << dir;
    std::cout << "\n";
  } else {
    TablePrinter table({"NAME", "KIND", "VERSION", "API", "PROVIDES", "REQUIRES", "FILE"});
    for (const auto& p : plugins)
      table.add({p.name, p.kind, p.version, api_text(p), capabilities(p), requirements(p), p.file});
    table.print(std::cout);
    std::cout << "(! marks an exclusive capability; `skiffd plugins --config NAME` shows a plugin's config keys)\n";
  }
  for (const auto& problem : problems) std::cerr << "skipped: " << problem << "\n";
  return 0;
}

}  // namespace skiff::kernel
