// Tests that change the kernel's state (in namespaces of their own) skip, saying why, when not root.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#define SKIFF_DNS_SKIP_UNLESS_ROOT(why) \
  if (geteuid() != 0) GTEST_SKIP() << "needs root: " << why
