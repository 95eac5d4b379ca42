// Which machines count as shut down: a node whose skiffd announced a clean stop, until it runs again.
#include <gtest/gtest.h>

#include "clean_stops.hpp"

namespace {

using skiff::cloud_local::CleanStops;

TEST(CleanStops, ANodeStoppedCleanlyIsRememberedUntilItRunsAgain) {
  CleanStops stops;
  EXPECT_FALSE(stops.stopped_cleanly("worker-1"));
  stops.stopped("worker-1");
  EXPECT_TRUE(stops.stopped_cleanly("worker-1"));
  EXPECT_FALSE(stops.stopped_cleanly("worker-2")) << "only the node that said so";
  stops.running("worker-1");
  EXPECT_FALSE(stops.stopped_cleanly("worker-1"));
}

}  // namespace
