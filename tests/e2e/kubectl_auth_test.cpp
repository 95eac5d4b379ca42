// `kubectl auth whoami` and `kubectl auth can-i [--list]` with the real kubectl (1.20 has no
// whoami), answered by the authorizer Skiff runs today — every authenticated request allowed,
// as Kubernetes' AlwaysAllow — and the same reviews over HTTP: 401 without a token, discovery,
// 405 for anything but create.
#include <gtest/gtest.h>

#include <filesystem>

#include "api_node.hpp"
#include "command.hpp"
#include "http_client.hpp"
#include "kubectl_versions.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

class KubectlAuth : public ::testing::TestWithParam<test::Kubectl> {
 protected:
  void SetUp() override { SKIFF_REQUIRE_KUBECTL(GetParam()); }
  test::CommandResult kubectl(std::vector<std::string> args) { return node.kubectl(GetParam().binary, args, "", 60s); }

  test::ApiNode node;
};

TEST_P(KubectlAuth, CanIAnswersYesForEveryVerbAndListsEveryRule) {
  for (std::vector<std::string> ask : {std::vector<std::string>{"create", "deployments"},
                                       {"delete", "pods", "-n", "kube-system"},
                                       {"get", "nodes/status"},
                                       {"get", "/healthz"}}) {
    std::vector<std::string> args = {"auth", "can-i"};
    args.insert(args.end(), ask.begin(), ask.end());
    auto r = kubectl(args);
    EXPECT_EQ(r.exit_code, 0) << ask[0] << " " << ask[1] << ": " << r.both();
    EXPECT_EQ(r.out, "yes\n") << r.both();
  }
  auto list = kubectl({"auth", "can-i", "--list"});
  EXPECT_EQ(list.exit_code, 0) << list.both();
  EXPECT_NE(list.out.find("*.*"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("[*]"), std::string::npos) << list.out;
}

TEST_P(KubectlAuth, WhoamiNamesTheTokensUserAndGroups) {
  if (GetParam().name == "kubectl_1_20") GTEST_SKIP() << "kubectl 1.20 has no auth whoami";
  auto r = kubectl({"auth", "whoami"});
  EXPECT_EQ(r.exit_code, 0) << r.both();
  EXPECT_NE(r.out.find("admin"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("system:masters"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("system:authenticated"), std::string::npos) << r.out;
  auto json = kubectl({"auth", "whoami", "-o", "json"});
  EXPECT_NE(json.out.find("\"kind\": \"SelfSubjectReview\""), std::string::npos) << json.both();
}

INSTANTIATE_TEST_SUITE_P(Clients, KubectlAuth, test::all_kubectls(), test::kubectl_name);

TEST(AccessReviewsHttp, ReviewsNeedATokenAreDiscoverableAndAreOnlyCreated) {
  test::ApiNode node;
  test::HttpClient anonymous{node.port(), node.ca_file(), ""};
  test::HttpClient admin{node.port(), node.ca_file(), node.token()};
  std::string review = R"({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview",)"
                       R"("spec":{"resourceAttributes":{"verb":"get","resource":"pods"}}})";
  EXPECT_EQ(anonymous.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review).status, 401);
  auto allowed = admin.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review);
  EXPECT_EQ(allowed.status, 201) << allowed.body;
  EXPECT_NE(allowed.body.find("\"allowed\":true"), std::string::npos) << allowed.body;
  EXPECT_NE(allowed.body.find("\"verb\":\"get\""), std::string::npos) << "the spec comes back: " << allowed.body;
  auto discovery = admin.request("GET", "/apis/authorization.k8s.io/v1");
  EXPECT_NE(discovery.body.find("selfsubjectrulesreviews"), std::string::npos) << discovery.body;
  EXPECT_NE(admin.request("GET", "/apis").body.find("authentication.k8s.io"), std::string::npos);
  EXPECT_EQ(admin.request("GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews").status, 405);
  EXPECT_EQ(admin.request("POST", "/apis/authorization.k8s.io/v2/selfsubjectaccessreviews", review).status, 404);
}

}  // namespace
