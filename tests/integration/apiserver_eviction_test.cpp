// The eviction subresource and PodDisruptionBudgets over HTTP, as kubectl drain uses them:
// 429 with Kubernetes' Status while a budget forbids it, the budget decremented with the pod
// recorded when it allows it, 500 for two budgets, pods that are not running evicted freely,
// bodies in JSON and in Kubernetes' protobuf (policy/v1 and v1beta1), and discovery.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api_node.hpp"
#include "http_client.hpp"

namespace {

using namespace skiff;
namespace json = boost::json;

const char* const kPods = "/api/v1/namespaces/default/pods/";
const char* const kBudgets = "/apis/policy/v1/namespaces/default/poddisruptionbudgets/";

std::string varint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  return out + static_cast<char>(v);
}

std::string bytes(int number, const std::string& payload) {
  return varint(static_cast<std::uint64_t>(number) << 3 | 2) + varint(payload.size()) + payload;
}

// "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw}.
std::string protobuf(const std::string& api_version, const std::string& kind, const std::string& raw) {
  return std::string("k8s\0", 4) + bytes(1, bytes(1, api_version) + bytes(2, kind)) + bytes(2, raw);
}

class EvictionTest : public ::testing::Test {
 protected:
  test::ApiNode node;
  test::HttpClient http{node.port(), node.ca_file(), node.token()};

  json::value call(const std::string& method, const std::string& target, const std::string& body, int expect,
                   const std::string& content_type = "application/json") {
    auto r = http.request(method, target, body, content_type);
    EXPECT_EQ(r.status, expect) << method << " " << target << ": " << r.body;
    boost::system::error_code ec;
    json::value value = json::parse(r.body, ec);
    return ec ? json::value(json::string(r.body)) : value;
  }
  // A pod on node-1 in the given phase, Ready when Running.
  void pod(const std::string& name, const std::string& phase = "Running") {
    call("POST", "/api/v1/namespaces/default/pods",
         R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
             R"(","labels":{"app":"web"}},"spec":{"nodeName":"node-1","containers":[{"name":"c","image":"busybox"}]}})",
         201);
    json::value p = call("GET", kPods + name, "", 200);
    p.at("status").as_object()["phase"] = phase;
    p.at("status").as_object()["conditions"] =
        json::array{json::object{{"type", "Ready"}, {"status", phase == "Running" ? "True" : "False"}}};
    call("PUT", kPods + name + "/status", json::serialize(p), 200);
  }
  // A budget over app=web whose status says how many disruptions are allowed.
  void budget(const std::string& name, int allowed, int generation_lag = 0) {
    call("POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
         R"({"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":")" + name +
             R"("},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"web"}}}})",
         201);
    set_allowed(name, allowed, generation_lag);
  }
  void set_allowed(const std::string& name, int allowed, int generation_lag = 0) {
    json::value b = call("GET", kBudgets + name, "", 200);
    std::int64_t generation = b.at("metadata").at("generation").to_number<std::int64_t>();
    b.as_object()["status"] = json::object{{"observedGeneration", generation - generation_lag},
                                           {"disruptionsAllowed", allowed},
                                           {"currentHealthy", 1},
                                           {"desiredHealthy", 1},
                                           {"expectedPods", 1}};
    call("PUT", kBudgets + name + "/status", json::serialize(b), 200);
  }
  json::value evict(const std::string& name, int expect, const std::string& api_version = "policy/v1") {
    return call("POST", kPods + name + "/eviction",
                R"({"apiVersion":")" + api_version + R"(","kind":"Eviction","metadata":{"name":")" + name + "\"}}",
                expect);
  }
};

TEST_F(EvictionTest, ABudgetWithoutDisruptionsLeftAnswers429AsKubernetes) {
  pod("web-1");
  budget("web", 0);
  json::value status = evict("web-1", 429);
  EXPECT_EQ(status.at("kind"), "Status");
  EXPECT_EQ(status.at("reason"), "TooManyRequests");
  EXPECT_EQ(status.at("message"), "Cannot evict pod as it would violate the pod's disruption budget.");
  EXPECT_EQ(status.at("code"), 429);
  EXPECT_EQ(status.at("details").at("causes").at(0).at("reason"), "DisruptionBudget");
  EXPECT_EQ(status.at("details").at("causes").at(0).at("message"),
            "The disruption budget web needs 1 healthy pods and has 1 currently");
  EXPECT_EQ(call("GET", kPods + std::string("web-1"), "", 200).at("metadata").as_object().count("deletionTimestamp"), 0u);
}

TEST_F(EvictionTest, AnAllowedEvictionTakesOneDisruptionAndDeletesThePod) {
  pod("web-1");
  budget("web", 1);
  json::value status = evict("web-1", 201);
  EXPECT_EQ(status.at("status"), "Success");
  json::value b = call("GET", kBudgets + std::string("web"), "", 200);
  EXPECT_EQ(b.at("status").at("disruptionsAllowed"), 0);
  EXPECT_TRUE(b.at("status").at("disruptedPods").as_object().contains("web-1"));
  json::value p = call("GET", kPods + std::string("web-1"), "", 200);  // on a node: deleted gracefully
  EXPECT_TRUE(p.at("metadata").as_object().contains("deletionTimestamp"));
  bool target = false;
  for (const auto& c : p.at("status").at("conditions").as_array())
    target |= c.at("type") == "DisruptionTarget" && c.at("reason") == "EvictionByEvictionAPI";
  EXPECT_TRUE(target) << json::serialize(p);
  // The budget is used up now.
  pod("web-2");
  evict("web-2", 429);
}

TEST_F(EvictionTest, ABudgetNotYetObservedIsStillBeingProcessed) {
  pod("web-1");
  budget("web", 1, 1);
  json::value status = evict("web-1", 429);
  EXPECT_EQ(status.at("details").at("causes").at(0).at("message"),
            "The disruption budget web is still being processed by the server.");
}

TEST_F(EvictionTest, PodsThatAreNotRunningGoWhateverTheBudget) {
  pod("pending", "Pending");
  pod("done", "Succeeded");
  budget("web", 0);
  evict("pending", 201);
  evict("done", 201);
  call("GET", kPods + std::string("done"), "", 404);
}

TEST_F(EvictionTest, TwoBudgetsAreAnInternalError) {
  pod("web-1");
  budget("one", 1);
  budget("two", 1);
  json::value status = evict("web-1", 500);
  EXPECT_EQ(status.at("message"),
            "Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource "
            "does not support.");
}

TEST_F(EvictionTest, ProtobufBodiesInPolicyV1AndV1beta1) {
  pod("web-1");
  pod("web-2");
  budget("web", 2);
  // Eviction: metadata 1 (name 1, namespace 3), deleteOptions 2 (gracePeriodSeconds 1).
  std::string eviction = bytes(1, bytes(1, "web-1") + bytes(3, "default")) + bytes(2, varint(1 << 3) + varint(0));
  call("POST", kPods + std::string("web-1/eviction"), protobuf("policy/v1", "Eviction", eviction), 201,
       "application/vnd.kubernetes.protobuf");
  call("GET", kPods + std::string("web-1"), "", 404);  // gracePeriodSeconds 0 honoured
  std::string beta = bytes(1, bytes(1, "web-2"));
  call("POST", kPods + std::string("web-2/eviction"), protobuf("policy/v1beta1", "Eviction", beta), 201,
       "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(call("GET", kBudgets + std::string("web"), "", 200).at("status").at("disruptionsAllowed"), 0);
}

TEST_F(EvictionTest, DeleteOptionsInProtobuf) {
  pod("web-1");
  // DeleteOptions: gracePeriodSeconds 1 = 0, propagationPolicy 4.
  std::string options = varint(1 << 3) + varint(0) + bytes(4, "Background");
  call("DELETE", kPods + std::string("web-1"), protobuf("meta.k8s.io/v1", "DeleteOptions", options), 200,
       "application/vnd.kubernetes.protobuf");
  call("GET", kPods + std::string("web-1"), "", 404);
}

TEST_F(EvictionTest, BudgetsAreValidatedWithFieldNames) {
  json::value both = call("POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
                          R"({"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"b"},
                              "spec":{"minAvailable":"120%","maxUnavailable":-1,"unhealthyPodEvictionPolicy":"Never"}})",
                          422);
  std::string message(both.at("message").as_string());
  EXPECT_NE(message.find("minAvailable and maxUnavailable cannot be both set"), std::string::npos) << message;
  EXPECT_NE(message.find("spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"120%\"}: "
                         "must not be greater than 100%"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0"), std::string::npos)
      << message;
  EXPECT_NE(message.find("spec.unhealthyPodEvictionPolicy: Unsupported value: \"Never\""), std::string::npos) << message;
}

TEST_F(EvictionTest, DiscoveryListsTheEvictionSubresourceAndThePolicyGroup) {
  json::value core = call("GET", "/api/v1", "", 200);
  bool eviction = false;
  for (const auto& r : core.at("resources").as_array())
    eviction |= r.at("name") == "pods/eviction" && r.at("kind") == "Eviction" && r.at("group") == "policy" &&
                r.at("version") == "v1";
  EXPECT_TRUE(eviction);
  json::value policy = call("GET", "/apis/policy/v1", "", 200);
  bool budgets = false;
  for (const auto& r : policy.at("resources").as_array())
    budgets |= r.at("name") == "poddisruptionbudgets" && r.at("shortNames").at(0) == "pdb";
  EXPECT_TRUE(budgets);
}

}  // namespace
