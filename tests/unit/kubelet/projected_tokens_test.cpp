#include "projected_tokens.hpp"

#include <gtest/gtest.h>

#include "master_service_env.hpp"

namespace skiff::kubelet {
namespace {

using namespace std::chrono_literals;
using Clock = ProjectedTokens::Clock;

TEST(ProjectedTokens, ATokenIsRenewedAtFourFifthsOfItsLife) {
  Clock::time_point issued{};
  EXPECT_EQ(ProjectedTokens::renew_at(issued, issued + 3600s), issued + 2880s);
  EXPECT_EQ(ProjectedTokens::renew_at(issued, issued + 600s), issued + 480s);
}

TEST(ProjectedTokens, ALongLivedTokenIsRenewedADayAfterItWasIssued) {
  Clock::time_point issued{};
  EXPECT_EQ(ProjectedTokens::renew_at(issued, issued + std::chrono::hours(24 * 365)), issued + 24h);
}

TEST(MasterServiceEnv, NamesTheServiceAsKubernetesKubeletDoes) {
  EnvList env = master_service_env("10.96.0.1", 443);
  EnvList expected = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                      {"KUBERNETES_SERVICE_PORT", "443"},
                      {"KUBERNETES_SERVICE_PORT_HTTPS", "443"},
                      {"KUBERNETES_PORT", "tcp://10.96.0.1:443"},
                      {"KUBERNETES_PORT_443_TCP", "tcp://10.96.0.1:443"},
                      {"KUBERNETES_PORT_443_TCP_PROTO", "tcp"},
                      {"KUBERNETES_PORT_443_TCP_PORT", "443"},
                      {"KUBERNETES_PORT_443_TCP_ADDR", "10.96.0.1"}};
  EXPECT_EQ(env, expected);
}

}  // namespace
}  // namespace skiff::kubelet
