// The scheduler conformance suite: what any scheduler plugin must do, against a real bus,
// store and API server, with fake Node objects (no kubelets).
//
// A scheduler's own test provides a harness factory and instantiates the suite:
//   INSTANTIATE_TEST_SUITE_P(Default, SchedulerConformance,
//       ::testing::Values(SchedulerConformanceParam{"default", make_harness, Scoring::Spread}));
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::conformance {

// A running API (store + apiserver) with the scheduler under test.
class SchedulerHarness {
 public:
  virtual ~SchedulerHarness() = default;
  virtual sdk::Bus& bus() = 0;
  virtual const sdk::Subjects& subjects() = 0;
  // The spec.schedulerName this scheduler answers to.
  virtual std::string scheduler_name() = 0;
};

// Starts the scheduler with these config keys overridden; the suite asks for short back-offs
// (pod_initial_backoff, pod_max_backoff) so that retries happen within a test.
using SchedulerHarnessFactory =
    std::function<std::unique_ptr<SchedulerHarness>(const std::map<std::string, std::string>& config)>;

// How the scheduler ranks nodes that all fit.
enum class Scoring { Spread, BinPack };

struct SchedulerConformanceParam {
  std::string name;
  SchedulerHarnessFactory factory;
  Scoring scoring = Scoring::Spread;
};

inline std::ostream& operator<<(std::ostream& out, const SchedulerConformanceParam& param) { return out << param.name; }

class SchedulerConformance : public ::testing::TestWithParam<SchedulerConformanceParam> {
 protected:
  void SetUp() override {
    harness_ = GetParam().factory({{"pod_initial_backoff", "50ms"}, {"pod_max_backoff", "500ms"}});
  }
  SchedulerHarness& harness() { return *harness_; }

 private:
  std::unique_ptr<SchedulerHarness> harness_;
};

}  // namespace skiff::conformance
