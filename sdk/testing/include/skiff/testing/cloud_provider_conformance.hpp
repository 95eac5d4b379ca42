// The cloud provider conformance suite: what any provider plugin must answer on
// skiff.<c>.cloudprovider.<op>, part by part as its capabilities claim them, against a real
// bus, store and API server.
//
// A provider's own test provides a harness factory and instantiates the suite:
//   INSTANTIATE_TEST_SUITE_P(Local, CloudProviderConformance,
//       ::testing::Values(CloudProviderConformanceParam{"local", make_harness}));
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::conformance {

// A running API (store + apiserver) with the provider under test.
class CloudProviderHarness {
 public:
  virtual ~CloudProviderHarness() = default;
  virtual sdk::Bus& bus() = 0;
  virtual const sdk::Subjects& subjects() = 0;
  // A Node whose machine exists and runs, as its kubelet would have registered it.
  virtual api::core::v1::Node live_node() = 0;
  // An address a route can go through where the provider's routes are (on-link there): the
  // routes case gives it to a Node of its own as InternalIP.
  virtual std::string route_gateway() { return "127.0.0.1"; }
};

using CloudProviderHarnessFactory = std::function<std::unique_ptr<CloudProviderHarness>()>;

struct CloudProviderConformanceParam {
  std::string name;
  CloudProviderHarnessFactory factory;
};

inline std::ostream& operator<<(std::ostream& out, const CloudProviderConformanceParam& param) {
  return out << param.name;
}

class CloudProviderConformance : public ::testing::TestWithParam<CloudProviderConformanceParam> {
 protected:
  void SetUp() override { harness_ = GetParam().factory(); }
  CloudProviderHarness& harness() { return *harness_; }

 private:
  std::unique_ptr<CloudProviderHarness> harness_;
};

}  // namespace skiff::conformance
