// The plugin side of the C ABI: builds the descriptor and turns C calls into Plugin calls.
#include <cstdio>
#include <cstring>

#include <spdlog/logger.h>

#include "host_context.hpp"
#include "skiff/sdk/plugin.hpp"

namespace skiff::sdk::detail {
namespace {

struct PluginInstance {
  std::unique_ptr<HostContext> context;
  std::unique_ptr<Plugin> plugin;
};

// Owns every string and array the descriptor points to; lives as long as the process.
struct DescriptorHolder {
  Manifest manifest;
  std::vector<skiff_capability> provides;
  std::vector<const char*> required;
  std::vector<skiff_config_key> config_keys;
  std::vector<std::string> one_of_texts;  // one per constrained key, '\n' after each value
  std::vector<skiff_config_rule> config_rules;
  skiff_plugin_descriptor descriptor{};
};

void write_error(char* buffer, size_t size, const std::string& message) {
  if (!buffer || size == 0) return;
  std::snprintf(buffer, size, "%s", message.c_str());
}

template <class Fn>
int32_t guarded(char* err, size_t err_size, Fn&& fn) noexcept {
  try {
    fn();
    return 0;
  } catch (const std::exception& e) {
    write_error(err, err_size, e.what());
  } catch (...) {
    write_error(err, err_size, "unknown exception");
  }
  return 1;
}

int32_t start_plugin(void* instance, char* err, size_t err_size) {
  return guarded(err, err_size, [&] { static_cast<PluginInstance*>(instance)->plugin->start(); });
}

int32_t stop_plugin(void* instance, char* err, size_t err_size) {
  return guarded(err, err_size, [&] { static_cast<PluginInstance*>(instance)->plugin->stop(); });
}

int32_t plugin_health(void* instance, char* message, size_t message_size) {
  try {
    Health health = static_cast<PluginInstance*>(instance)->plugin->health();
    write_error(message, message_size, health.message);
    return static_cast<int32_t>(health.state);
  } catch (const std::exception& e) {
    write_error(message, message_size, std::string("health check threw: ") + e.what());
    return SKIFF_HEALTH_FAILING;
  }
}

void destroy_plugin(void* instance) {
  auto* plugin = static_cast<PluginInstance*>(instance);
  try {
    // Executor first (no more queued work), then the plugin (its subscriptions), then the bus.
    plugin->context->stop_executor();
    plugin->plugin.reset();
    plugin->context.reset();
  } catch (...) {
  }
  delete plugin;
}

// The constraints of the config table, as layout 2 appends them (pointers into the manifest).
void fill_config_rules(DescriptorHolder& holder) {
  const ConfigTable& table = holder.manifest.config;
  holder.one_of_texts.reserve(table.size());  // no reallocation: the rules point into it
  for (const auto& key : table) {
    if (!key.constrained()) continue;
    std::string one_of;
    for (const auto& value : key.one_of) one_of += value + "\n";
    holder.one_of_texts.push_back(std::move(one_of));
    holder.config_rules.push_back({key.name.c_str(), key.one_of.empty() ? nullptr : holder.one_of_texts.back().c_str(),
                                   key.minimum ? key.minimum->c_str() : nullptr,
                                   key.maximum ? key.maximum->c_str() : nullptr});
  }
  holder.config_rules.push_back({nullptr, nullptr, nullptr, nullptr});
}

}  // namespace

const skiff_plugin_descriptor* make_descriptor(Manifest (*manifest)(), CreateFn create) noexcept {
  return make_descriptor(manifest, create, nullptr);
}

int32_t run_cleanup(const skiff_host* host, char* err, size_t err_size, void (*cleanup)(const CleanupContext&)) noexcept {
  if (!host || host->struct_size < SKIFF_HOST_SIZE_V1) {
    write_error(err, err_size, "the kernel passed a host structure older than this plugin's SDK; upgrade skiffd");
    return 1;
  }
  auto text = [](const char* value) { return std::string(value ? value : ""); };
  return guarded(err, err_size, [&] {
    Config config(std::string_view(host->config_yaml ? host->config_yaml : "", host->config_size));
    auto logger = host_logger(*host, text(host->instance_name));
    cleanup(CleanupContext{config, *logger, text(host->node_name), text(host->data_dir), text(host->node_data_dir)});
  });
}

const skiff_plugin_descriptor* make_descriptor(Manifest (*manifest)(), CreateFn create, CleanupFn cleanup) noexcept {
  try {
    auto* holder = new DescriptorHolder;  // never freed: plugins are never unloaded
    holder->manifest = manifest();
    const Manifest& m = holder->manifest;
    for (const auto& capability : m.provides)
      holder->provides.push_back({capability.name.c_str(), capability.exclusive ? uint32_t{SKIFF_CAPABILITY_EXCLUSIVE} : 0u});
    holder->provides.push_back({nullptr, 0});
    for (const auto& name : m.requires_capabilities) holder->required.push_back(name.c_str());
    holder->required.push_back(nullptr);
    for (const auto& key : m.config)
      holder->config_keys.push_back({key.name.c_str(), to_string(key.type).data(),
                                     key.default_value ? key.default_value->c_str() : nullptr,
                                     key.description.c_str()});
    holder->config_keys.push_back({nullptr, nullptr, nullptr, nullptr});
    fill_config_rules(*holder);

    skiff_plugin_descriptor& d = holder->descriptor;
    d.struct_size = sizeof(skiff_plugin_descriptor);
    d.magic = SKIFF_DESCRIPTOR_MAGIC;
    d.layout = SKIFF_DESCRIPTOR_LAYOUT;
    d.api_min = m.api_min;
    d.api_max = m.api_max;
    d.name = m.name.c_str();
    d.kind = m.kind.c_str();
    d.version = m.version.c_str();
    d.description = m.description.c_str();
    d.provides = holder->provides.data();
    d.required = holder->required.data();
    d.config_keys = holder->config_keys.data();
    d.create = create;
    d.start = start_plugin;
    d.stop = stop_plugin;
    d.health = plugin_health;
    d.destroy = destroy_plugin;
    d.config_rules = holder->config_rules.data();
    d.cleanup = cleanup;
    return &d;
  } catch (...) {
    return nullptr;
  }
}

int32_t create_instance(const skiff_host* host, void** instance, char* err, size_t err_size, Factory factory) noexcept {
  // Fields a newer kernel appended are beyond what this SDK reads; fields appended after the
  // first kernels are optional here (read only when struct_size covers them).
  if (!host || host->struct_size < SKIFF_HOST_SIZE_V1) {
    write_error(err, err_size, "the kernel passed a host structure older than this plugin's SDK; upgrade skiffd");
    return 1;
  }
  return guarded(err, err_size, [&] {
    auto context = std::make_unique<HostContext>(*host);
    auto plugin = factory(*context);
    *instance = new PluginInstance{std::move(context), std::move(plugin)};
  });
}

}  // namespace skiff::sdk::detail
