// usageNanoCores from two readings of a cumulative counter.
#include <gtest/gtest.h>

#include "usage_rates.hpp"

namespace {

using skiff::kubelet::UsageRates;
using namespace std::chrono_literals;

TEST(KubeletUsageRates, RateBetweenTwoReadings) {
  UsageRates rates;
  auto t0 = UsageRates::Clock::time_point(100s);
  EXPECT_EQ(rates.nano_cores("c", 1'000'000'000, t0), 0u) << "no rate from a first reading";
  // Half a second of CPU in two seconds: a quarter of a core.
  EXPECT_EQ(rates.nano_cores("c", 1'500'000'000, t0 + 2s), 250'000'000u);
  // Two cores busy for a second.
  EXPECT_EQ(rates.nano_cores("c", 3'500'000'000, t0 + 3s), 2'000'000'000u);
  EXPECT_EQ(rates.nano_cores("other", 5, t0 + 3s), 0u) << "each key has readings of its own";
}

TEST(KubeletUsageRates, ACounterGoingBackOrNoTimePassingGivesZero) {
  UsageRates rates;
  auto t0 = UsageRates::Clock::time_point(10s);
  rates.nano_cores("c", 5'000'000'000, t0);
  EXPECT_EQ(rates.nano_cores("c", 1'000'000'000, t0 + 1s), 0u) << "a restarted container starts over";
  EXPECT_EQ(rates.nano_cores("c", 1'500'000'000, t0 + 2s), 500'000'000u) << "… and is measured from there";
  EXPECT_EQ(rates.nano_cores("c", 9'000'000'000, t0 + 2s), 0u) << "no time passed";
}

TEST(KubeletUsageRates, TheSameReadingAgainKeepsItsRate) {
  UsageRates rates;
  auto t0 = UsageRates::Clock::time_point(10s);
  rates.nano_cores("node", 1'000'000'000, t0);
  EXPECT_EQ(rates.nano_cores("node", 2'000'000'000, t0 + 1s), 1'000'000'000u);
  EXPECT_EQ(rates.nano_cores("node", 2'000'000'000, t0 + 1s), 1'000'000'000u) << "a shared reading handed out twice";
  EXPECT_EQ(rates.nano_cores("node", 2'500'000'000, t0 + 2s), 500'000'000u);
}

TEST(KubeletUsageRates, ForgetsWhatWasNotReadSinceTheLastRound) {
  UsageRates rates;
  auto t0 = UsageRates::Clock::time_point(10s);
  rates.nano_cores("gone", 1'000'000'000, t0);
  rates.nano_cores("kept", 1'000'000'000, t0);
  rates.forget_unread();
  rates.nano_cores("kept", 2'000'000'000, t0 + 1s);
  rates.forget_unread();  // "gone" was not read this round
  EXPECT_EQ(rates.nano_cores("gone", 2'000'000'000, t0 + 2s), 0u);
  EXPECT_EQ(rates.nano_cores("kept", 3'000'000'000, t0 + 2s), 1'000'000'000u);
}

}  // namespace
