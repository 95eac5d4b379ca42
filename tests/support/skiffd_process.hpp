// The installed testing kit's skiffd.hpp, plus where this build tree keeps its test plugins.
#pragma once

#include <string>

#include "skiff/testing/skiffd.hpp"

namespace skiff::test {

// The kernel tests' own plugins (tests/plugins), never installed.
inline std::string test_plugin_dir() { return SKIFF_TEST_PLUGIN_DIR; }

}  // namespace skiff::test
