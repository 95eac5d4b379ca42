// The QoS class of a pod as Kubernetes computes it (pkg/apis/core/helper/qos), init
// containers included.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/qos.hpp"

namespace {

using namespace skiff;
namespace core = api::core::v1;
using Quantities = std::map<std::string, std::string>;

core::Container container(const Quantities& requests, const Quantities& limits) {
  core::Container c;
  c.set_name("c");
  c.set_image("busybox:1");
  for (const auto& [name, value] : requests) (*c.mutable_resources()->mutable_requests())[name] = value;
  for (const auto& [name, value] : limits) (*c.mutable_resources()->mutable_limits())[name] = value;
  return c;
}

const Quantities kNone;
const Quantities kSmall = {{"cpu", "100m"}, {"memory", "64Mi"}};
const Quantities kLarge = {{"cpu", "1"}, {"memory", "1Gi"}};

// A pod of these app containers and these init containers.
core::PodSpec pod(std::initializer_list<core::Container> containers, std::initializer_list<core::Container> init = {}) {
  core::PodSpec spec;
  for (const auto& c : containers) *spec.add_containers() = c;
  for (const auto& c : init) *spec.add_init_containers() = c;
  return spec;
}

TEST(QosClass, NothingRequestedIsBestEffort) {
  EXPECT_EQ(sdk::qos_class(pod({})), "BestEffort");
  EXPECT_EQ(sdk::qos_class(pod({container(kNone, kNone)})), "BestEffort");
  EXPECT_EQ(sdk::qos_class(pod({container(kNone, kNone), container(kNone, kNone)}, {container(kNone, kNone)})),
            "BestEffort");
}

TEST(QosClass, RequestsEqualToLimitsAreGuaranteed) {
  EXPECT_EQ(sdk::qos_class(pod({container(kLarge, kLarge)})), "Guaranteed");
  EXPECT_EQ(sdk::qos_class(pod({container(kLarge, kLarge), container(kSmall, kSmall)})), "Guaranteed");
}

TEST(QosClass, UnsetRequestsAreTheLimits) {
  EXPECT_EQ(sdk::qos_class(pod({container(kNone, kLarge)})), "Guaranteed");
  EXPECT_EQ(sdk::qos_class(pod({container({{"cpu", "1"}}, kLarge)})), "Guaranteed");
  EXPECT_EQ(sdk::qos_class(pod({container(kNone, kLarge)}, {container(kNone, kSmall)})), "Guaranteed");
}

TEST(QosClass, QuantitiesCompareByValueNotSpelling) {
  EXPECT_EQ(sdk::qos_class(pod({container({{"cpu", "1000m"}, {"memory", "1024Mi"}}, kLarge)})), "Guaranteed");
  EXPECT_EQ(sdk::qos_class(pod({container({{"cpu", "0.5"}, {"memory", "1Gi"}}, {{"cpu", "500m"}, {"memory", "1Gi"}})})),
            "Guaranteed");
}

TEST(QosClass, AnythingElseIsBurstable) {
  EXPECT_EQ(sdk::qos_class(pod({container({{"cpu", "100m"}}, kNone)})), "Burstable");
  EXPECT_EQ(sdk::qos_class(pod({container(kSmall, kLarge)})), "Burstable");  // requests below limits
  EXPECT_EQ(sdk::qos_class(pod({container(kNone, {{"cpu", "1"}})})), "Burstable");  // no memory limit
  // One container guaranteed, one with nothing: the pod is not.
  EXPECT_EQ(sdk::qos_class(pod({container(kLarge, kLarge), container(kNone, kNone)})), "Burstable");
}

TEST(QosClass, InitContainersCount) {
  // Only an init container asks for anything: the pod is no longer best effort.
  EXPECT_EQ(sdk::qos_class(pod({container(kNone, kNone)}, {container({{"memory", "64Mi"}}, kNone)})), "Burstable");
  // Guaranteed app containers with an init container that limits nothing: burstable.
  EXPECT_EQ(sdk::qos_class(pod({container(kLarge, kLarge)}, {container(kNone, kNone)})), "Burstable");
  // ... or one whose requests fall short of its limits.
  EXPECT_EQ(sdk::qos_class(pod({container(kLarge, kLarge)}, {container(kSmall, kLarge)})), "Burstable");
  EXPECT_EQ(sdk::qos_class(pod({container(kLarge, kLarge)}, {container(kSmall, kSmall), container(kLarge, kLarge)})),
            "Guaranteed");
}

TEST(QosClass, OnlyCpuAndMemoryCount) {
  Quantities other = {{"ephemeral-storage", "1Gi"}, {"nvidia.com/gpu", "1"}, {"hugepages-2Mi", "2Mi"}};
  EXPECT_EQ(sdk::qos_class(pod({container(other, other)})), "BestEffort");
  EXPECT_EQ(sdk::qos_class(pod({container({{"ephemeral-storage", "1Gi"}}, kNone)})), "BestEffort");
  // Extra resources requested below their limit do not make a guaranteed pod burstable.
  Quantities limits = kLarge, requests = kLarge;
  limits["nvidia.com/gpu"] = "2";
  requests["nvidia.com/gpu"] = "1";
  EXPECT_EQ(sdk::qos_class(pod({container(requests, limits)})), "Guaranteed");
}

TEST(QosClass, ZeroQuantitiesCountAsUnset) {
  Quantities zero = {{"cpu", "0"}, {"memory", "0"}};
  EXPECT_EQ(sdk::qos_class(pod({container(zero, kNone)})), "BestEffort");
  EXPECT_EQ(sdk::qos_class(pod({container(kNone, zero)})), "BestEffort");
  EXPECT_EQ(sdk::qos_class(pod({container(zero, zero)}, {container({{"cpu", "0m"}}, kNone)})), "BestEffort");
  // A zero limit is no limit: the container does not limit both.
  EXPECT_EQ(sdk::qos_class(pod({container({{"cpu", "1"}}, {{"cpu", "1"}, {"memory", "0"}})})), "Burstable");
  // An explicit zero request is not replaced by the limit.
  EXPECT_EQ(sdk::qos_class(pod({container({{"cpu", "1"}, {"memory", "0"}}, kLarge)})), "Burstable");
}

}  // namespace
