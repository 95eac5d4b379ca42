// What the kubelet's end-to-end suites share whatever the runtime: one node per test (control
// plane, kubelet and a runtime, named apart from every other test's), the real kubectl against
// it, pod helpers, and a `Cleanup` of the runtime's (Docker's or containerd's) that removes
// everything labelled with the node before the test and after it, even when it fails.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api_node.hpp"
#include "command.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"

namespace skiff::test {

using namespace std::chrono_literals;

// "<prefix>-<pid>-<n>": a node name no other test (or test process) uses.
inline std::string unique_node_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

// Cleanup: constructed from the node name (removes what is left), destructor removes the rest.
template <class Cleanup>
class KubeletNodeTest : public ::testing::Test {
 protected:
  using Pod = api::core::v1::Pod;

  // The node's plugins besides store-lmdb and the apiserver.
  virtual std::string plugins() const = 0;
  // A prefix for node names ("e2e-cd"); the pid and a counter make them unique.
  virtual std::string node_prefix() const = 0;
  // What the runtime needs before a node starts (its daemon answering, the test images).
  virtual void prepare() {}

  void SetUp() override {
    prepare();
    if (HasFatalFailure() || IsSkipped()) return;
    node_name = unique_node_name(node_prefix());
    cleanup = std::make_unique<Cleanup>(node_name);
    node = std::make_unique<ApiNode>("", plugins(), node_name);
    api = std::make_unique<sdk::ApiClient>(node->node().bus(), node->node().subjects());
  }
  void TearDown() override {
    if (HasFailure() && node) std::fprintf(stderr, "skiffd output:\n%s\n", node->node().output().c_str());
    api.reset();
    node.reset();  // stops the kubelet first, so nothing recreates what cleanup removes
    cleanup.reset();
  }

  CommandResult kubectl(std::vector<std::string> args, const std::string& stdin_text = "",
                        std::chrono::milliseconds timeout = 60s) {
    return node->kubectl("/usr/bin/kubectl", args, stdin_text, timeout);
  }
  std::string ok(std::vector<std::string> args, const std::string& stdin_text = "") {
    auto r = kubectl(args, stdin_text);
    EXPECT_EQ(r.exit_code, 0) << "kubectl " << args[0] << ": " << r.both();
    return r.out;
  }

  // The pods matching `selector` that are not being deleted.
  std::vector<Pod> pods(const std::string& selector) {
    std::vector<Pod> out;
    for (auto& p : api->list<Pod>("default", selector))
      if (p.metadata().deletion_timestamp().empty()) out.push_back(std::move(p));
    return out;
  }
  static bool ready(const Pod& p) {
    for (const auto& c : p.status().conditions())
      if (c.type() == "Ready") return c.status() == "True";
    return false;
  }
  static int restarts(const Pod& p) {
    return p.status().container_statuses_size() ? p.status().container_statuses(0).restart_count() : -1;
  }
  std::optional<Pod> pod(const std::string& name) {
    try {
      return api->get<Pod>("default", name);
    } catch (const sdk::Error&) {
      return std::nullopt;
    }
  }
  bool all_ready(const std::string& selector, std::size_t count, std::chrono::milliseconds timeout = 60s) {
    return wait_until([&] {
      auto now = pods(selector);
      return now.size() == count && std::all_of(now.begin(), now.end(), [](const Pod& p) {
               return p.status().phase() == "Running" && ready(p);
             });
    }, timeout, 100ms);
  }

  std::string node_name;
  std::unique_ptr<Cleanup> cleanup;
  std::unique_ptr<ApiNode> node;
  std::unique_ptr<sdk::ApiClient> api;
};

}  // namespace skiff::test
