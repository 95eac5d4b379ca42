// The runtime conformance suite: what every runtime plugin must do, through the real loader
// and bus, whatever it runs on (Docker, a simulation).
//
//   INSTANTIATE_TEST_SUITE_P(Docker, RuntimeConformance,
//       ::testing::Values(RuntimeConformanceParam{"docker", make_harness, /*real_processes=*/true}));
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::conformance {

class RuntimeHarness {
 public:
  virtual ~RuntimeHarness() = default;
  virtual sdk::Bus& bus() = 0;
  virtual const sdk::Subjects& subjects() = 0;
  virtual std::string node() = 0;
  // An image present on the runtime that has busybox's /bin/sh, sleep, echo, cat, httpd, wget,
  // and (for the sandbox network stats) ip, awk, ping and nc.
  virtual std::string image() = 0;
};

using RuntimeHarnessFactory = std::function<std::unique_ptr<RuntimeHarness>()>;

struct RuntimeConformanceParam {
  std::string name;
  RuntimeHarnessFactory factory;
  // True when containers run real processes (output, exit codes, networking are real);
  // a simulated runtime skips those checks.
  bool real_processes = true;
  // False for a runtime that ignores terminal resizes (TerminalSize on "<stream>.resize").
  bool resizes_terminals = true;
};

inline std::ostream& operator<<(std::ostream& out, const RuntimeConformanceParam& p) { return out << p.name; }

class RuntimeConformance : public ::testing::TestWithParam<RuntimeConformanceParam> {
 protected:
  void SetUp() override;
  void TearDown() override;  // removes every sandbox this test made, even after a failure
  RuntimeHarness& harness() { return *harness_; }
  std::string test_label() const { return label_; }

 private:
  std::unique_ptr<RuntimeHarness> harness_;
  std::string label_;
};

}  // namespace skiff::conformance
