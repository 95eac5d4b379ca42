// What the pod syncer leaves for its node agent to compare: the runtime's view of a pod as
// one string, whatever order the runtime lists things in.
#include <gtest/gtest.h>

#include "pod_syncer.hpp"

namespace {

using skiff::kubelet::runtime_signature;

TEST(KubeletRuntimeSignature, IsTheSameInAnyOrderAndChangesWithAnyState) {
  std::string signature = runtime_signature({"c2:RUNNING", "s1:READY", "c1:EXITED"});
  EXPECT_EQ(signature, runtime_signature({"c1:EXITED", "c2:RUNNING", "s1:READY"}));
  EXPECT_EQ(signature, "c1:EXITED;c2:RUNNING;s1:READY;");
  EXPECT_NE(signature, runtime_signature({"c1:EXITED", "c2:EXITED", "s1:READY"}));
  EXPECT_NE(signature, runtime_signature({"c2:RUNNING", "s1:READY"}));
  EXPECT_EQ(runtime_signature({}), "");
}

}  // namespace
