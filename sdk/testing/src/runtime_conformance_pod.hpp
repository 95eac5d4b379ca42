// What the runtime conformance suite's tests work with: a pod's sandbox config and its
// containers through the runtime client, and waiting on conditions.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "skiff/sdk/runtime/runtime_client.hpp"
#include "skiff/testing/runtime_conformance.hpp"

namespace skiff::conformance::runtime_suite {

namespace rt = runtime::v1;
using namespace std::chrono_literals;

// Every sandbox a test makes carries this label with the test's own value (TearDown's handle).
inline constexpr const char* kTestLabel = "io.skiff.test";

inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 20s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

struct Pod {
  Pod(RuntimeHarness& h, const std::string& label, const std::string& name)
      : runtime(h.bus(), h.subjects(), h.node()), image(h.image()) {
    config.set_pod_uid(label + "-" + name + "-uid");
    config.set_pod_name(name);
    config.set_namespace_("conformance");
    config.set_hostname(name);
    (*config.mutable_labels())[kTestLabel] = label;
  }
  std::string sandbox() { return sandbox_id = runtime.run_sandbox(config, &sandbox_ip); }
  std::string container(const std::string& name, std::vector<std::string> command, std::vector<rt::KeyValue> env = {},
                        const std::string& workdir = "", bool start = true) {
    rt::ContainerConfig c;
    c.set_name(name);
    c.set_image(image);
    for (auto& part : command) c.add_command(part);
    for (auto& kv : env) *c.add_env() = kv;
    c.set_working_dir(workdir);
    std::string id = runtime.create_container(sandbox_id, c, config);
    if (start) runtime.start_container(id);
    return id;
  }
  std::string logs(const std::string& id) {
    std::string out;
    rt::LogsRequest r;
    r.set_container_id(id);
    r.set_tail_lines(-1);
    runtime.logs(r, [&](const rt::Chunk& c) {
      out += c.data();
      return true;
    });
    return out;
  }
  bool exited(const std::string& id) {
    return eventually([&] { return runtime.container_status(id).state() == "EXITED"; });
  }

  sdk::RuntimeClient runtime;
  std::string image;
  rt::SandboxConfig config;
  std::string sandbox_id, sandbox_ip;
};

}  // namespace skiff::conformance::runtime_suite
