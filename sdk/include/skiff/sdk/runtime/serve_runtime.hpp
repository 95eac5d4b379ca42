// Puts a RuntimeService on the bus: the subjects of a node's runtime, the request parsing,
// worker threads, the clash check, and the logs/exec streams. Written once, for every runtime.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/config.hpp"
#include "skiff/sdk/context.hpp"
#include "skiff/sdk/runtime/runtime_service.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::sdk {

struct RuntimeServeOptions {
  std::string node;       // whose runtime this is; serve_runtime(Context&, …) fills in the context's node
  std::string handler;    // the RuntimeClass handler answered on skiff.<c>.node.<n>.runtime.<handler>.<op>
  bool serve_default = true;  // also the node's default runtime: skiff.<c>.node.<n>.runtime.<op>
  int workers = 4;            // requests handled at once (streams run on threads of their own)
  // Refuse to start when another runtime already answers on these subjects (off only for
  // the second and later of many simulated nodes, when the first one was checked).
  bool check_clash = true;
};

// The config keys every runtime shares: `handler`, `default`, `workers`. Append them to a
// manifest's table; read them back with runtime_serve_options().
std::vector<ConfigKey> runtime_serve_keys(const std::string& default_handler);
RuntimeServeOptions runtime_serve_options(const Config& config);

// Serves while it lives. Destroy it before the service: stopping cancels the subscriptions,
// tells every stream to stop and waits for their bodies to return.
class RuntimeServer {
 public:
  // Throws Error(422) for an invalid handler name (a lowercase RFC 1123 label, as
  // RuntimeClass requires) or naming the clash when another runtime answers there already.
  RuntimeServer(Bus& bus, const Subjects& subjects, RuntimeService& service, RuntimeServeOptions options);
  ~RuntimeServer();
  RuntimeServer(const RuntimeServer&) = delete;
  RuntimeServer& operator=(const RuntimeServer&) = delete;

  void stop();
  // Streams under way (logs followed, execs running).
  std::size_t active_streams() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The usual call from a runtime plugin's start(): serves the context's node.
std::unique_ptr<RuntimeServer> serve_runtime(Context& context, RuntimeService& service, RuntimeServeOptions options);

}  // namespace skiff::sdk
