// Service accounts on one API node with the real kubectl: the `default` account and the
// cluster CA in every namespace, `kubectl create token` and the token's identity, TokenReview,
// tokens bound to a pod, the ServiceAccount admission's volume, and the issuer's OIDC discovery.
#include <gtest/gtest.h>

#include <filesystem>

#include <boost/json.hpp>

#include "api_node.hpp"
#include "command.hpp"
#include "http_client.hpp"
#include "kubectl_versions.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace json = boost::json;

const test::Kubectl kMachine{"kubectl_machine", "/usr/bin/kubectl"};
const test::Kubectl kOld{"kubectl_1_27", "/usr/lib/google-cloud-sdk/bin/kubectl.1.27"};

class ServiceAccounts : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { node = new test::ApiNode(); }
  static void TearDownTestSuite() {
    delete node;
    node = nullptr;
  }
  static test::CommandResult kubectl(std::vector<std::string> args, const std::string& input = "") {
    return node->kubectl(kMachine.binary, args, input, 60s);
  }
  static std::string ok(std::vector<std::string> args, const std::string& input = "") {
    auto r = kubectl(args, input);
    EXPECT_EQ(r.exit_code, 0) << args.front() << ": " << r.both();
    return r.out;
  }
  static test::HttpClient admin() { return {node->port(), node->ca_file(), node->token()}; }
  static test::HttpClient as(const std::string& token) { return {node->port(), node->ca_file(), token}; }

  // The claims of a JWT, read without checking it (the server checks).
  static json::object claims_of(const std::string& token) {
    auto first = token.find('.'), second = token.find('.', first + 1);
    std::string text = token.substr(first + 1, second - first - 1);
    for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
    while (text.size() % 4) text += '=';
    auto decoded = test::run_command({"base64", "-d"}, {}, 10s, text);
    return json::parse(decoded.out).as_object();
  }

  static std::string review(const std::string& token, const std::string& audiences = "") {
    std::string body = R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":")" + token +
                       "\"" + (audiences.empty() ? "" : ",\"audiences\":[" + audiences + "]") + "}}";
    auto r = admin().request("POST", "/apis/authentication.k8s.io/v1/tokenreviews", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.body;
  }

  static inline test::ApiNode* node = nullptr;
};

TEST_F(ServiceAccounts, EveryNamespaceGetsTheDefaultAccountAndTheClusterCa) {
  ok({"create", "namespace", "team-a"});
  EXPECT_TRUE(test::wait_until([] { return kubectl({"get", "serviceaccount", "default", "-n", "team-a"}).exit_code == 0; }, 10s, 50ms));
  std::string ca;
  EXPECT_TRUE(test::wait_until([&] {
    ca = kubectl({"get", "configmap", "kube-root-ca.crt", "-n", "team-a", "-o", "jsonpath={.data.ca\\.crt}"}).out;
    return !ca.empty();
  }, 10s, 50ms));
  EXPECT_NE(ca.find("BEGIN CERTIFICATE"), std::string::npos) << ca;
  EXPECT_EQ(test::run_command({"cat", node->ca_file()}).out, ca) << "pods trust the apiserver's own CA";
  // Deleted, it comes back (as Kubernetes' serviceaccount controller puts it back).
  ok({"delete", "serviceaccount", "default", "-n", "team-a"});
  EXPECT_TRUE(test::wait_until([] { return kubectl({"get", "serviceaccount", "default", "-n", "team-a"}).exit_code == 0; }, 10s, 50ms));
  auto table = ok({"get", "sa", "-n", "team-a"});
  EXPECT_NE(table.find("NAME"), std::string::npos) << table;
  EXPECT_NE(table.find("SECRETS"), std::string::npos) << table;
}

TEST_F(ServiceAccounts, CreateTokenGivesABoundJwtThatAuthenticatesAsTheAccount) {
  ok({"create", "serviceaccount", "robot"});
  std::string token = ok({"create", "token", "robot", "--duration=20m"});
  while (!token.empty() && token.back() == '\n') token.pop_back();
  auto claims = claims_of(token);
  EXPECT_EQ(claims.at("sub").as_string(), "system:serviceaccount:default:robot");
  EXPECT_EQ(claims.at("iss").as_string(), "https://kubernetes.default.svc.cluster.local");
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 1200) << "--duration=20m";
  auto whoami = node->kubectl(kMachine.binary, {"--token=" + token, "auth", "whoami"}, "", 60s);
  EXPECT_EQ(whoami.exit_code, 0) << whoami.both();
  for (const char* expected : {"system:serviceaccount:default:robot", "system:serviceaccounts",
                               "system:serviceaccounts:default", "system:authenticated"})
    EXPECT_NE(whoami.out.find(expected), std::string::npos) << expected << " in " << whoami.out;

  // kubectl 1.27 sends its TokenRequest as protobuf.
  if (std::filesystem::exists(kOld.binary)) {
    auto old = node->kubectl(kOld.binary, {"create", "token", "robot", "--duration=15m"}, "", 60s);
    ASSERT_EQ(old.exit_code, 0) << old.both();
    auto old_claims = claims_of(old.out.substr(0, old.out.find('\n')));
    EXPECT_EQ(old_claims.at("exp").as_int64() - old_claims.at("iat").as_int64(), 900) << "--duration=15m, as protobuf";
  }

  // Once the account is gone, so is the token (after the 10 s a good answer is remembered).
  ok({"delete", "serviceaccount", "robot"});
  EXPECT_TRUE(test::wait_until([&] { return as(token).request("GET", "/api/v1/namespaces").status == 401; }, 20s, 200ms));
}

TEST_F(ServiceAccounts, TokenReviewSaysWhoATokenIsAndWhyNot) {
  ok({"create", "serviceaccount", "reviewed"});
  std::string token = ok({"create", "token", "reviewed", "--audience=vault"});
  while (!token.empty() && token.back() == '\n') token.pop_back();
  auto good = review(token, "\"vault\"");
  EXPECT_NE(good.find("\"authenticated\":true"), std::string::npos) << good;
  EXPECT_NE(good.find("system:serviceaccount:default:reviewed"), std::string::npos) << good;
  EXPECT_NE(good.find("\"audiences\":[\"vault\"]"), std::string::npos) << good;
  EXPECT_EQ(good.find(token), std::string::npos) << "the answer does not echo the token";
  auto other = review(token);  // the API's own audience: not this token's
  EXPECT_EQ(other.find("\"authenticated\":true"), std::string::npos) << other;  // false is omitted, as in Kubernetes
  EXPECT_NE(other.find("token audiences are invalid"), std::string::npos) << other;
  auto garbage = review("not.a.token");
  EXPECT_EQ(garbage.find("\"authenticated\":true"), std::string::npos) << garbage;
  EXPECT_NE(garbage.find("invalid bearer token"), std::string::npos) << garbage;
  auto static_token = review(node->token());
  EXPECT_NE(static_token.find("\"username\":\"admin\""), std::string::npos) << static_token;
  EXPECT_EQ(as(token).request("GET", "/api/v1/namespaces").status, 401) << "a vault token is not an API token";
}

TEST_F(ServiceAccounts, APodsAdmissionMountsTheAccessVolumeAndABoundTokenDiesWithThePod) {
  ok({"apply", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata: {name: bound}
spec:
  containers: [{name: main, image: skiff/busybox:1}]
  initContainers: [{name: init, image: skiff/busybox:1}]
)");
  std::string volume = ok({"get", "pod", "bound", "-o", "jsonpath={.spec.volumes[0].name}"});
  EXPECT_EQ(volume.rfind("kube-api-access-", 0), 0u) << volume;
  EXPECT_EQ(volume.size(), std::string("kube-api-access-").size() + 5);
  auto sources = ok({"get", "pod", "bound", "-o", "jsonpath={.spec.volumes[0].projected.sources}"});
  for (const char* part : {"\"expirationSeconds\":3607", "\"path\":\"token\"", "kube-root-ca.crt", "metadata.namespace"})
    EXPECT_NE(sources.find(part), std::string::npos) << part << " in " << sources;
  for (const char* path : {"{.spec.containers[0].volumeMounts[0].mountPath}", "{.spec.initContainers[0].volumeMounts[0].mountPath}"})
    EXPECT_EQ(ok({"get", "pod", "bound", "-o", std::string("jsonpath=") + path}), "/var/run/secrets/kubernetes.io/serviceaccount");

  std::string uid = ok({"get", "pod", "bound", "-o", "jsonpath={.metadata.uid}"});
  std::string request = R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":3607,)"
                        R"("boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"bound","uid":")" + uid + "\"}}}";
  auto issued = admin().request("POST", "/api/v1/namespaces/default/serviceaccounts/default/token", request);
  ASSERT_EQ(issued.status, 201) << issued.body;
  std::string token(json::parse(issued.body).at("status").at("token").as_string());
  EXPECT_EQ(claims_of(token).at("kubernetes.io").at("pod").at("uid").as_string(), uid);
  EXPECT_EQ(as(token).request("GET", "/api").status, 200) << "discovery: every authenticated user's";
  auto stale = admin().request("POST", "/api/v1/namespaces/default/serviceaccounts/default/token",
                               R"({"spec":{"boundObjectRef":{"kind":"Pod","name":"bound","uid":"not-its-uid"}}})");
  EXPECT_EQ(stale.status, 409) << stale.body;
  ok({"delete", "pod", "bound", "--grace-period=0", "--force"});
  EXPECT_TRUE(test::wait_until([&] { return as(token).request("GET", "/api/v1/namespaces").status == 401; }, 20s, 200ms));
}

TEST_F(ServiceAccounts, AdmissionHonoursAutomountAndRefusesAMissingAccount) {
  ok({"apply", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata: {name: no-token}
spec:
  automountServiceAccountToken: false
  containers: [{name: main, image: skiff/busybox:1}]
)");
  EXPECT_EQ(ok({"get", "pod", "no-token", "-o", "jsonpath={.spec.volumes}"}), "");
  ok({"apply", "-f", "-"}, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: quiet}\nautomountServiceAccountToken: false\n");
  ok({"apply", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata: {name: quiet-pod}
spec:
  serviceAccountName: quiet
  containers: [{name: main, image: skiff/busybox:1}]
)");
  EXPECT_EQ(ok({"get", "pod", "quiet-pod", "-o", "jsonpath={.spec.volumes}"}), "");
  auto refused = kubectl({"apply", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata: {name: ghost-pod}
spec:
  serviceAccountName: ghost
  containers: [{name: main, image: skiff/busybox:1}]
)");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.both().find("error looking up service account default/ghost: serviceaccount \"ghost\" not found"),
            std::string::npos) << refused.both();
}

TEST_F(ServiceAccounts, TheIssuerPublishesItsKeysForOthersToCheckTokens) {
  auto config = admin().request("GET", "/.well-known/openid-configuration");
  ASSERT_EQ(config.status, 200) << config.body;
  EXPECT_EQ(json::parse(config.body).at("issuer").as_string(), "https://kubernetes.default.svc.cluster.local");
  auto keys = admin().request("GET", "/openid/v1/jwks");
  ASSERT_EQ(keys.status, 200) << keys.body;
  auto key = json::parse(keys.body).at("keys").at(0).as_object();
  EXPECT_EQ(key.at("kty").as_string(), "EC");
  EXPECT_EQ(key.at("crv").as_string(), "P-256");
  std::string token = ok({"create", "token", "default"});
  auto header_end = token.find('.');
  std::string header = token.substr(0, header_end);
  for (char& c : header) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (header.size() % 4) header += '=';
  auto decoded = json::parse(test::run_command({"base64", "-d"}, {}, 10s, header).out).as_object();
  EXPECT_EQ(decoded.at("kid").as_string(), key.at("kid").as_string());
  EXPECT_EQ(decoded.at("alg").as_string(), "ES256");
}

TEST_F(ServiceAccounts, TokenRequestsOutsideTheLimitsAreRefusedNamingTheField) {
  auto short_lived = admin().request("POST", "/api/v1/namespaces/default/serviceaccounts/default/token",
                                     R"({"spec":{"expirationSeconds":60}})");
  EXPECT_EQ(short_lived.status, 422) << short_lived.body;
  EXPECT_NE(short_lived.body.find("spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes"),
            std::string::npos) << short_lived.body;
  auto missing = admin().request("POST", "/api/v1/namespaces/default/serviceaccounts/nobody/token", "{}");
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_NE(missing.body.find("serviceaccounts \\\"nobody\\\" not found"), std::string::npos) << missing.body;
}

}  // namespace
