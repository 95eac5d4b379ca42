// What a plugin author writes: a Plugin subclass with a static manifest(), exported by SKIFF_PLUGIN.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "skiff/abi/plugin_abi.h"
#include "skiff/sdk/config.hpp"
#include "skiff/sdk/context.hpp"

namespace spdlog {
class logger;
}

namespace skiff::sdk {

struct Health {
  enum class State { Ok = SKIFF_HEALTH_OK, Degraded = SKIFF_HEALTH_DEGRADED, Failing = SKIFF_HEALTH_FAILING };
  State state = State::Ok;
  std::string message;

  static Health ok(std::string message = {}) { return {State::Ok, std::move(message)}; }
  static Health degraded(std::string message) { return {State::Degraded, std::move(message)}; }
  static Health failing(std::string message) { return {State::Failing, std::move(message)}; }
};

// The plugin's constructor receives its Context; it must not start work (start() does).
class Plugin {
 public:
  virtual ~Plugin() = default;
  // Returns once the plugin serves; throws (preferably skiff::sdk::Error) to refuse to start.
  virtual void start() = 0;
  // Stops serving; must return within the profile's stop_timeout.
  virtual void stop() {}
  // Called from any thread, often: keep it cheap.
  virtual Health health() { return Health::ok(); }
};

// What a plugin's static cleanup() gets: no instance, no bus — the node is not running it.
struct CleanupContext {
  const Config& config;  // as it was configured (defaults applied)
  spdlog::logger& log;
  std::string node;
  std::string data_dir;       // the plugin's own
  std::string node_data_dir;
};

struct Capability {
  std::string name;
  bool exclusive = false;  // only one plugin of a node may provide it
};

struct Manifest {
  std::string name;
  std::string kind;  // store, apiserver, scheduler, controller, kubelet, runtime, proxy, addon …
  std::string version;
  std::string description;
  std::uint32_t api_min = SKIFF_API_VERSION_MIN;
  std::uint32_t api_max = SKIFF_API_VERSION_MAX;
  std::vector<Capability> provides;
  std::vector<std::string> requires_capabilities;
  ConfigTable config;
};

namespace detail {
using Factory = std::unique_ptr<Plugin> (*)(Context&);
using CreateFn = int32_t (*)(const skiff_host*, void**, char*, size_t);
using CleanupFn = int32_t (*)(const skiff_host*, char*, size_t);
const skiff_plugin_descriptor* make_descriptor(Manifest (*manifest)(), CreateFn create) noexcept;
const skiff_plugin_descriptor* make_descriptor(Manifest (*manifest)(), CreateFn create, CleanupFn cleanup) noexcept;
int32_t run_cleanup(const skiff_host* host, char* err, size_t err_size, void (*cleanup)(const CleanupContext&)) noexcept;
int32_t create_instance(const skiff_host* host, void** instance, char* err, size_t err_size, Factory factory) noexcept;

template <class P>
int32_t create_trampoline(const skiff_host* host, void** instance, char* err, size_t err_size) {
  return create_instance(host, instance, err, err_size,
                         [](Context& context) -> std::unique_ptr<Plugin> { return std::make_unique<P>(context); });
}
// A plugin that leaves state on the node declares `static void cleanup(const CleanupContext&)`.
template <class P>
CleanupFn cleanup_trampoline() {
  if constexpr (requires(const CleanupContext& c) { P::cleanup(c); }) {
    return [](const skiff_host* host, char* err, size_t err_size) -> int32_t {
      return run_cleanup(host, err, err_size, [](const CleanupContext& c) { P::cleanup(c); });
    };
  } else {
    return nullptr;
  }
}
}  // namespace detail

}  // namespace skiff::sdk

// Exports PluginClass (constructible from Context&, with `static Manifest manifest()`) as this
// .so's one entry point. Use once per plugin library.
#define SKIFF_PLUGIN(PluginClass)                                                                         \
  extern "C" __attribute__((visibility("default"))) const skiff_plugin_descriptor* skiff_plugin_entry(void) { \
    static const skiff_plugin_descriptor* descriptor =                                                    \
        ::skiff::sdk::detail::make_descriptor(&PluginClass::manifest,                                     \
                                              &::skiff::sdk::detail::create_trampoline<PluginClass>,      \
                                              ::skiff::sdk::detail::cleanup_trampoline<PluginClass>());   \
    return descriptor;                                                                                    \
  }
