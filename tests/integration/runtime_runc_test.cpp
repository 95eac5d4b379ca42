// runtime-runc's own promises beyond the conformance suite, through the real skiffd and bus:
// exec with a TTY, the securityContext in the bundle — read-only root, capabilities dropped and
// added, the user — seen from inside the container, and an OOM kill reported as such.
#include <gtest/gtest.h>

#include "runc_lab.hpp"
#include "skiff/testing/wait.hpp"
#include "skiff/sdk/runtime/runtime_client.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/testing/plugin_harness.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace rt = runtime::v1;

class RuntimeRunc : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto missing = test::runc_missing_prerequisite(); !missing.empty()) GTEST_SKIP() << missing;
    harness_ = test::runtime_harness({"runtime-runc", "", "image_archives: [" + test::busybox_image_archive() + "]"})();
    runtime_ = std::make_unique<sdk::RuntimeClient>(harness_->bus(), harness_->subjects(), harness_->node());
    pod_.set_pod_uid("runc-own-uid");
    pod_.set_pod_name("own");
    pod_.set_namespace_("runc");
    pod_.set_hostname("own");
    sandbox_ = runtime_->run_sandbox(pod_);
  }
  void TearDown() override {
    if (runtime_ && !sandbox_.empty()) runtime_->remove_sandbox(sandbox_);
  }
  std::string sleeper(const std::function<void(rt::ContainerConfig&)>& adjust = {}) {
    rt::ContainerConfig c;
    c.set_name("app");
    c.set_image("skiff/busybox:1");
    c.add_command("sleep");
    c.add_command("3600");
    if (adjust) adjust(c);
    std::string id = runtime_->create_container(sandbox_, c, pod_);
    runtime_->start_container(id);
    return id;
  }
  // The exit code and stdout of a command in `id`.
  std::pair<int, std::string> exec(const std::string& id, std::vector<std::string> command, bool tty = false,
                                   const std::string& input = "") {
    rt::ExecRequest r;
    r.set_container_id(id);
    for (auto& part : command) r.add_command(part);
    r.set_tty(tty);
    std::string out, err;
    int code = runtime_->exec(r, [&](const rt::Chunk& c) {
      (c.fd() == 1 ? out : err) += c.data();
      return true;
    }, input);
    if (!err.empty()) std::fprintf(stderr, "exec %s: stderr: %s\n", command.front().c_str(), err.c_str());
    return {code, out};
  }

  std::unique_ptr<conformance::RuntimeHarness> harness_;
  std::unique_ptr<sdk::RuntimeClient> runtime_;
  rt::SandboxConfig pod_;
  std::string sandbox_;
};

TEST_F(RuntimeRunc, ExecWithATtyRunsOnATerminal) {
  std::string id = sleeper();
  auto [code, out] = exec(id, {"sh", "-c", "test -t 0 && test -t 1 && echo on a tty; exit 4"}, true);
  EXPECT_EQ(code, 4);
  // Under load (ctest -j2 beside Docker suites) runc's console was seen to add a second \r
  // ("on a tty\r\r\n") — not explained yet, written up in the runtime's README.
  EXPECT_TRUE(out == "on a tty\r\n" || out == "on a tty\r\r\n") << "a terminal turns \\n into \\r\\n: " << out;
  auto plain = exec(id, {"sh", "-c", "test -t 1 || echo no tty"});
  EXPECT_EQ(plain.second, "no tty\n");
  auto typed = exec(id, {"sh"}, true, "echo typed\nexit 6\n");
  EXPECT_EQ(typed.first, 6);
  EXPECT_NE(typed.second.find("typed\r\n"), std::string::npos) << typed.second;
}

TEST_F(RuntimeRunc, ReadOnlyRootCapabilitiesAndUserFromTheSecurityContext) {
  std::string locked = sleeper([](rt::ContainerConfig& c) {
    c.set_read_only_root(true);
    c.add_capabilities_drop("ALL");
    c.add_capabilities_add("NET_BIND_SERVICE");
  });
  EXPECT_NE(exec(locked, {"touch", "/written"}).first, 0) << "the root is read-only";
  EXPECT_EQ(exec(locked, {"sh", "-c", "grep CapEff /proc/self/status"}).second, "CapEff:\t0000000000000400\n")
      << "only NET_BIND_SERVICE (bit 10)";
  // (A user other than root keeps no capabilities across exec, here as with Docker: tested apart.)
  std::string user = sleeper([](rt::ContainerConfig& c) {
    c.set_run_as_user(1000);
    c.set_run_as_group(1000);
  });
  EXPECT_EQ(exec(user, {"id", "-u"}).second, "1000\n");
  EXPECT_EQ(exec(user, {"id", "-g"}).second, "1000\n");

  std::string plain = sleeper();
  EXPECT_EQ(exec(plain, {"touch", "/written"}).first, 0);
  EXPECT_EQ(exec(plain, {"id", "-u"}).second, "0\n");
  EXPECT_NE(exec(plain, {"sh", "-c", "grep CapEff /proc/self/status"}).second, "CapEff:\t0000000000000400\n");
}

// The memory limit is the cgroup's; the monitor finds the OOM kill in memory.oom_control.
TEST_F(RuntimeRunc, AContainerOverItsMemoryLimitIsOOMKilled) {
  rt::ContainerConfig c;
  c.set_name("hungry");
  c.set_image("skiff/busybox:1");
  for (const char* part : {"dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=1"}) c.add_command(part);
  c.set_memory_limit_bytes(32 << 20);
  std::string id = runtime_->create_container(sandbox_, c, pod_);
  runtime_->start_container(id);
  ASSERT_TRUE(test::wait_until([&] { return runtime_->container_status(id).state() == "EXITED"; }, 20s));
  auto status = runtime_->container_status(id);
  EXPECT_EQ(status.reason(), "OOMKilled");
  EXPECT_EQ(status.exit_code(), 137);
}

TEST_F(RuntimeRunc, AnUnknownCapabilityIsRefused) {
  rt::ContainerConfig c;
  c.set_name("bad");
  c.set_image("skiff/busybox:1");
  c.add_command("true");
  c.add_capabilities_add("FLY");
  try {
    runtime_->create_container(sandbox_, c, pod_);
    ADD_FAILURE() << "created with an unknown capability";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 400);
    EXPECT_NE(e.status().message.find("FLY"), std::string::npos) << e.status().message;
  }
}

}  // namespace
