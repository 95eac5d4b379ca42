// The store conformance suite: every store plugin must pass it, through a real bus.
//
// A store's own test provides a harness factory and instantiates the suite:
//   INSTANTIATE_TEST_SUITE_P(StoreLmdb, StoreConformance,
//                            ::testing::Values(StoreConformanceParam{"store-lmdb", make_harness}));
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::conformance {

// A running store plugin, reachable over a bus.
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  virtual sdk::Bus& bus() = 0;
  virtual const sdk::Subjects& subjects() = 0;
  // Stops the store and starts it again on the same data; returns once it serves.
  virtual void restart() = 0;
};

// Starts a store with these config keys overridden (the suite uses `history_length`).
using StoreHarnessFactory =
    std::function<std::unique_ptr<StoreHarness>(const std::map<std::string, std::string>& config)>;

struct StoreConformanceParam {
  std::string name;
  StoreHarnessFactory factory;
};

inline std::ostream& operator<<(std::ostream& out, const StoreConformanceParam& param) { return out << param.name; }

class StoreConformance : public ::testing::TestWithParam<StoreConformanceParam> {
 protected:
  void SetUp() override { harness_ = GetParam().factory({}); }
  void restart_with(const std::map<std::string, std::string>& config) {
    harness_.reset();
    harness_ = GetParam().factory(config);
  }
  StoreHarness& harness() { return *harness_; }

 private:
  std::unique_ptr<StoreHarness> harness_;
};

}  // namespace skiff::conformance
