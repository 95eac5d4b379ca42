// A configurable test plugin: reports each lifecycle step on the bus and answers Ping.
// Built several times with different names, provides and requires (see CMakeLists.txt).
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "skiff/kernel/v1/kernel.pb.h"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/plugin.hpp"

namespace {

using namespace skiff::sdk;

std::vector<std::string> split(const char* list) {
  std::vector<std::string> out;
  std::string item;
  for (const char* c = list; *c; ++c) {
    if (*c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += *c;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

class LifecyclePlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = TEST_PLUGIN_NAME;
    m.kind = "test";
    m.version = "1.2.3";
    m.description = "Reports its lifecycle on skiff.test.events and answers Ping";
    for (const auto& cap : split(TEST_PLUGIN_PROVIDES)) m.provides.push_back({cap, false});
    for (const auto& cap : split(TEST_PLUGIN_PROVIDES_EXCLUSIVE)) m.provides.push_back({cap, true});
    m.requires_capabilities = split(TEST_PLUGIN_REQUIRES);
    m.api_min = TEST_PLUGIN_API_MIN;
    m.api_max = TEST_PLUGIN_API_MAX;
    m.config = {
        {"greeting", ConfigType::String, "pong", "what Ping answers"},
        {"fail_create", ConfigType::Bool, "false", "throw from the constructor"},
        {"fail_start", ConfigType::Bool, "false", "throw from start()"},
        {"crash_after", ConfigType::Duration, "0s", "abort() this long after start (0: never)"},
        {"health", ConfigType::String, "ok", "what health() reports: ok, degraded or failing"},
        {"events_subject", ConfigType::String, "skiff.test.events", "where lifecycle events go"},
        {"leaves", ConfigType::String, "", "a file start() creates and cleanup() removes (\"\": none)"},
    };
    return m;
  }

  explicit LifecyclePlugin(Context& context) : context_(context) {
    if (context.config().get_bool("fail_create")) throw Error(Status::Internal("configured to fail in create"));
    report("created");
  }

  ~LifecyclePlugin() override { report("destroyed"); }

  // What it left on the node: the `leaves` file.
  static void cleanup(const CleanupContext& context) {
    std::string leaves = context.config.has("leaves") ? context.config.get_string("leaves") : "";
    if (!leaves.empty()) std::filesystem::remove(leaves);
    context.log.info("cleaned up {}", leaves.empty() ? "nothing" : leaves);
  }

  void start() override {
    if (context_.config().get_bool("fail_start")) throw Error(Status::Internal("configured to fail in start"));
    ping_ = serve_proto<skiff::kernel::v1::Ping>(
        context_.bus(), context_.subjects().plugin(context_.name(), "ping"), "ping",
        [this](const skiff::kernel::v1::Ping& ping, const Request&) {
          skiff::kernel::v1::Pong pong;
          pong.set_message(context_.config().get_string("greeting") + ":" + ping.message());
          pong.set_served_by(context_.name());
          return pong;
        });
    auto crash_after = context_.config().get_duration("crash_after");
    if (crash_after.count() > 0) {
      std::thread([crash_after] {
        std::this_thread::sleep_for(crash_after);  // the crash is the point of this plugin
        std::abort();
      }).detach();
    }
    if (context_.config().has("leaves")) std::ofstream(context_.config().get_string("leaves")) << "left\n";
    context_.log().info("started, greeting {}", context_.config().get_string("greeting"));
    report("started");
  }

  void stop() override {
    ping_.cancel();
    report("stopped");
  }

  Health health() override {
    std::string state = context_.config().get_string("health");
    if (state == "degraded") return Health::degraded("configured degraded");
    if (state == "failing") return Health::failing("configured failing");
    return Health::ok("all good");
  }

 private:
  void report(const std::string& event) {
    context_.bus().publish(context_.config().get_string("events_subject"), context_.name() + ":" + event);
    context_.bus().flush(std::chrono::milliseconds(2000));
  }

  Context& context_;
  Subscription ping_;
};

}  // namespace

SKIFF_PLUGIN(LifecyclePlugin)
