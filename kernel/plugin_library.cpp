// Boost.DLL loads the library and imports the one entry symbol; everything else is checked here.
#include "plugin_library.hpp"

#include <algorithm>
#include <filesystem>
#include <cstring>
#include <set>

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/shared_library.hpp>

#include "skiff/sdk/config_schema.hpp"

namespace skiff::kernel {
namespace {

namespace fs = std::filesystem;

std::string api_range(std::uint32_t min, std::uint32_t max) {
  return min == max ? "v" + std::to_string(min) : "v" + std::to_string(min) + "–v" + std::to_string(max);
}

std::string text(const char* value) { return value ? value : ""; }

// Attaches each rule to its key, refusing rules that name no key or make no sense.
void read_config_rules(const skiff_config_rule* rules, sdk::ConfigTable& table, const std::string& who) {
  for (const skiff_config_rule* r = rules; r && r->key; ++r) {
    auto key = std::find_if(table.begin(), table.end(), [&](const sdk::ConfigKey& k) { return k.name == r->key; });
    if (key == table.end())
      throw PluginError(who + ": a config rule names key '" + std::string(r->key) + "', which its table lacks; fix the manifest");
    for (const char* at = r->one_of; at && *at;) {
      const char* end = std::strchr(at, '\n');
      if (!end) end = at + std::strlen(at);
      key->one_of.emplace_back(at, end);
      at = *end ? end + 1 : end;
    }
    if (r->minimum) key->minimum = r->minimum;
    if (r->maximum) key->maximum = r->maximum;
    if (std::string problem = sdk::constraint_problem(*key); !problem.empty())
      throw PluginError(who + ": config key '" + key->name + "' " + problem + "; fix the manifest");
  }
}

// Copies the manifest out, refusing anything this kernel cannot trust.
LoadedPlugin read_descriptor(const skiff_plugin_descriptor* d, const std::string& file, const std::string& label) {
  const std::string who = "plugin " + label + " (" + file + ")";
  const std::string rebuild = "rebuild it against the Skiff SDK of this skiffd";
  if (!d) throw PluginError(who + ": its entry point returned no descriptor (the manifest threw?); " + rebuild);
  constexpr std::size_t kHeader = offsetof(skiff_plugin_descriptor, layout) + sizeof(std::uint32_t);
  if (d->struct_size < kHeader)
    throw PluginError(who + ": descriptor too small (" + std::to_string(d->struct_size) + " bytes); " + rebuild);
  if (d->magic != SKIFF_DESCRIPTOR_MAGIC)
    throw PluginError(who + ": the descriptor does not start with the Skiff magic; " + rebuild);
  if (d->layout == 0) throw PluginError(who + ": descriptor layout 0 does not exist; " + rebuild);
  // Layouts only append: any layout is read as far as this kernel knows it, if it is that long.
  const std::uint32_t read_as = std::min(d->layout, std::uint32_t{SKIFF_DESCRIPTOR_LAYOUT});
  const std::size_t needed = read_as >= 3   ? SKIFF_DESCRIPTOR_SIZE_LAYOUT3
                             : read_as >= 2 ? SKIFF_DESCRIPTOR_SIZE_LAYOUT2
                                            : SKIFF_DESCRIPTOR_SIZE_LAYOUT1;
  if (d->struct_size < needed)
    throw PluginError(who + ": descriptor too small (" + std::to_string(d->struct_size) + " bytes, layout " +
                      std::to_string(d->layout) + " needs at least " + std::to_string(needed) + "); " + rebuild);
  const char* missing = !d->name || !*d->name ? "name"
                        : !d->kind            ? "kind"
                        : !d->version         ? "version"
                        : !d->create          ? "create"
                        : !d->start           ? "start"
                        : !d->stop            ? "stop"
                        : !d->health          ? "health"
                        : !d->destroy         ? "destroy"
                                              : nullptr;
  if (missing) throw PluginError(who + ": the descriptor has no " + std::string(missing) + "; " + rebuild);

  LoadedPlugin plugin;
  plugin.file = file;
  plugin.name = d->name;
  plugin.kind = d->kind;
  plugin.version = d->version;
  plugin.description = text(d->description);
  plugin.api_min = d->api_min;
  plugin.api_max = d->api_max;
  plugin.descriptor = d;

  std::uint32_t low = std::max(d->api_min, kKernelApiMin);
  std::uint32_t high = std::min(d->api_max, kKernelApiMax);
  if (d->api_min > d->api_max || low > high) {
    std::string fix = d->api_min > kKernelApiMax ? "upgrade skiffd to one that speaks " + api_range(d->api_min, d->api_max)
                                                  : "rebuild the plugin against SDK " + api_range(kKernelApiMin, kKernelApiMax);
    throw PluginError("plugin " + label + ": supports SDK API " + api_range(d->api_min, d->api_max) +
                      ", this skiffd supports " + api_range(kKernelApiMin, kKernelApiMax) + "; " + fix);
  }
  plugin.api_version = high;

  for (const skiff_capability* c = d->provides; c && c->name; ++c)
    plugin.provides.push_back({c->name, (c->flags & SKIFF_CAPABILITY_EXCLUSIVE) != 0});
  for (const char* const* r = d->required; r && *r; ++r) plugin.requires_capabilities.emplace_back(*r);
  for (const skiff_config_key* k = d->config_keys; k && k->name; ++k) {
    auto type = sdk::parse_config_type(text(k->type));
    if (!type)
      throw PluginError(who + ": config key '" + std::string(k->name) + "' has unknown type '" + text(k->type) + "'; " +
                        rebuild);
    sdk::ConfigKey key{k->name, *type, std::nullopt, text(k->description)};
    if (k->default_value) key.default_value = k->default_value;
    plugin.config.push_back(std::move(key));
  }
  if (read_as >= 2) read_config_rules(d->config_rules, plugin.config, who);
  if (read_as >= 3) plugin.cleanup = d->cleanup;
  return plugin;
}

}  // namespace

LoadedPlugin load_plugin(const std::string& file, const std::string& label) {
  if (!fs::exists(file))
    throw PluginError("plugin " + label + ": file " + file + " does not exist; build it (make build) or fix the path");
  // Plugins are never unloaded while the kernel runs: the library object is leaked on purpose.
  auto* library = new boost::dll::shared_library();
  try {
    library->load(fs::absolute(file), boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    delete library;
    throw PluginError("plugin " + label + ": cannot load " + file + ": " + e.what() +
                      "; is it a shared library built for this machine, with its libraries installed?");
  }
  if (!library->has(SKIFF_PLUGIN_ENTRY_SYMBOL)) {
    throw PluginError("plugin " + label + ": " + file + " is not a Skiff plugin (no " SKIFF_PLUGIN_ENTRY_SYMBOL
                      " entry point); build it with SKIFF_PLUGIN(...) and skiff_add_plugin()");
  }
  auto entry = library->get<const skiff_plugin_descriptor*()>(SKIFF_PLUGIN_ENTRY_SYMBOL);
  return read_descriptor(entry(), file, label);
}

std::string find_plugin_file(const std::string& name, const std::vector<std::string>& search_dirs) {
  for (const auto& dir : search_dirs) {
    fs::path candidate = fs::path(dir) / (name + ".so");
    if (fs::exists(candidate)) return candidate.string();
  }
  return "";
}

std::vector<std::string> list_plugin_files(const std::vector<std::string>& search_dirs) {
  std::vector<std::string> files;
  std::set<std::string> seen;
  for (const auto& dir : search_dirs) {
    std::error_code ec;
    std::vector<fs::path> here;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.path().extension() == ".so") here.push_back(entry.path());
    std::sort(here.begin(), here.end());
    for (const auto& path : here)
      if (seen.insert(path.stem().string()).second) files.push_back(path.string());
  }
  return files;
}

}  // namespace skiff::kernel
