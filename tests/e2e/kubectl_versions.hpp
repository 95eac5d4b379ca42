// The kubectl binaries the end-to-end tests run: Debian's 1.20 (unpacked by `make test`),
// the machine's /usr/bin/kubectl (a dispatcher that picks 1.33 for the v1.33 we report) and
// the bundled 1.27 run directly.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <ostream>
#include <string>

namespace skiff::test {

struct Kubectl {
  std::string name;
  std::string binary;
};

inline std::ostream& operator<<(std::ostream& out, const Kubectl& k) { return out << k.name; }

inline auto all_kubectls() {
  return ::testing::Values(Kubectl{"kubectl_1_20", SKIFF_TEST_KUBECTL_120}, Kubectl{"kubectl_machine", "/usr/bin/kubectl"},
                           Kubectl{"kubectl_1_27", "/usr/lib/google-cloud-sdk/bin/kubectl.1.27"});
}

inline std::string kubectl_name(const ::testing::TestParamInfo<Kubectl>& info) { return info.param.name; }

// In SetUp: fails when 1.20 (which `make test` provides) is missing, skips the others.
#define SKIFF_REQUIRE_KUBECTL(k)                                                                \
  do {                                                                                          \
    if (!std::filesystem::exists((k).binary)) {                                                 \
      if ((k).name == "kubectl_1_20") FAIL() << (k).binary << " is missing; `make test` unpacks it"; \
      GTEST_SKIP() << (k).binary << " is not on this machine";                                  \
    }                                                                                           \
  } while (false)

}  // namespace skiff::test
