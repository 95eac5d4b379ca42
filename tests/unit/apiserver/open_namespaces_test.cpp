// The apiserver's short memory of open namespaces (NamespaceLifecycle's cache on the create path).
#include <gtest/gtest.h>

#include "open_namespaces.hpp"

namespace skiff::apiserver {
namespace {

using namespace std::chrono_literals;

TEST(OpenNamespaces, RemembersAnOpenNamespaceForAShortTime) {
  OpenNamespaces open(1s);
  auto now = OpenNamespaces::Clock::now();
  EXPECT_FALSE(open.known_open("team-a", now));
  open.remember("team-a", now);
  EXPECT_TRUE(open.known_open("team-a", now + 500ms));
  EXPECT_FALSE(open.known_open("team-a", now + 1s));  // stale: read from the store again
  EXPECT_FALSE(open.known_open("team-b", now));
}

TEST(OpenNamespaces, ForgetsANamespaceBeingDeletedAtOnce) {
  OpenNamespaces open(10s);
  auto now = OpenNamespaces::Clock::now();
  open.remember("team-a", now);
  open.forget("team-a");
  EXPECT_FALSE(open.known_open("team-a", now));
}

}  // namespace
}  // namespace skiff::apiserver
