// The HTTP API where kubectl cannot reach: authentication, limits, concurrency, subresources,
// graceful deletion, finalizers, namespaces, watches (resume, 410, bookmarks), patches.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "api_node.hpp"
#include "http_client.hpp"
#include "skiff/api/metrics/v1beta1/metrics.pb.h"
#include "skiff/apiserver/v1/token_review.pb.h"
#include "skiff/sdk/bus_proto.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace json = boost::json;

class ApiHttpTest : public ::testing::Test {
 protected:
  test::ApiNode node{"      bookmark_interval: 1s\n"};
  test::HttpClient http{node.port(), node.ca_file(), node.token()};

  json::value call(const std::string& method, const std::string& target, const std::string& body = "",
                   int expect = 0, const std::string& content_type = "application/json") {
    auto r = http.request(method, target, body, content_type);
    if (expect) {
      EXPECT_EQ(r.status, expect) << method << " " << target << ": " << r.body;
    }
    boost::system::error_code ec;
    json::value value = json::parse(r.body, ec);
    return ec ? json::value(json::string(r.body)) : value;
  }
  std::string pod(const std::string& name, const std::string& extra_meta = "") {
    return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + "\"" + extra_meta +
           R"(},"spec":{"containers":[{"name":"c","image":"busybox"}]}})";
  }
};

TEST_F(ApiHttpTest, AnonymousRequestsAreRejectedButHealthIsPublic) {
  test::HttpClient anonymous(node.port(), node.ca_file(), "");
  auto r = anonymous.request("GET", "/api/v1/namespaces");
  EXPECT_EQ(r.status, 401);
  json::value status = json::parse(r.body);
  EXPECT_EQ(status.at("kind"), "Status");
  EXPECT_EQ(status.at("reason"), "Unauthorized");
  EXPECT_EQ(status.at("code"), 401);
  EXPECT_EQ(anonymous.request("GET", "/healthz").status, 200);
  EXPECT_EQ(anonymous.request("GET", "/readyz").status, 200);
  test::HttpClient wrong(node.port(), node.ca_file(), "not-the-token");
  EXPECT_EQ(wrong.request("GET", "/api/v1/pods").status, 401);
}

TEST_F(ApiHttpTest, BodiesOverTheLimitAreRefused) {
  std::string huge = R"({"metadata":{"name":"big"},"data":{"k":")" + std::string(4 * 1024 * 1024, 'x') + "\"}}";
  auto r = http.request("POST", "/api/v1/namespaces/default/configmaps", huge);
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("RequestEntityTooLarge"), std::string::npos);
}

TEST_F(ApiHttpTest, MalformedBodiesAndUnknownMediaTypes) {
  auto bad = call("POST", "/api/v1/namespaces/default/pods", "{not json", 400);
  EXPECT_EQ(bad.at("reason"), "BadRequest");
  call("POST", "/api/v1/namespaces/default/pods", pod("p"), 201);
  auto unsupported = call("PATCH", "/api/v1/namespaces/default/pods/p", "{}", 415, "text/plain");
  EXPECT_EQ(unsupported.at("reason"), "UnsupportedMediaType");
  auto typo = call("POST", "/api/v1/namespaces/default/pods?fieldValidation=Strict",
                   R"({"metadata":{"name":"q"},"spec":{"containers":[{"name":"c","image":"x","imagee":"y"}]}})", 400);
  EXPECT_NE(std::string(typo.at("message").as_string()).find("strict decoding error: unknown field \"spec.containers[0].imagee\""),
            std::string::npos);
  auto warned = http.request("POST", "/api/v1/namespaces/default/pods",
                             R"({"metadata":{"name":"r"},"spec":{"containers":[{"name":"c","image":"x","imagee":"y"}]}})");
  EXPECT_EQ(warned.status, 201);
  EXPECT_NE(warned.headers["Warning"].find("unknown field"), std::string::npos);
}

TEST_F(ApiHttpTest, NamespacesMustExistAndNamesMustBeValid) {
  auto missing = call("POST", "/api/v1/namespaces/nope/pods", pod("p"), 404);
  EXPECT_EQ(missing.at("message"), "namespaces \"nope\" not found");
  auto invalid = call("POST", "/api/v1/namespaces/default/pods", pod("Bad_Name"), 422);
  EXPECT_EQ(invalid.at("reason"), "Invalid");
  EXPECT_EQ(invalid.at("details").at("causes").at(0).at("field"), "metadata.name");
  auto dup = call("POST", "/api/v1/namespaces/default/pods",
                  R"({"metadata":{"name":"d"},"spec":{"containers":[{"name":"c","image":"x"},{"name":"c","image":"y"}]}})", 422);
  EXPECT_NE(std::string(dup.at("message").as_string()).find("spec.containers[1].name: Duplicate value: \"c\""),
            std::string::npos)
      << dup;
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"})
    call("GET", std::string("/api/v1/namespaces/") + ns, "", 200);
}

TEST_F(ApiHttpTest, StaleResourceVersionsConflictAndGenerationFollowsTheSpec) {
  auto created = call("POST", "/apis/apps/v1/namespaces/default/deployments", R"({"metadata":{"name":"web"},"spec":{
    "selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
    "spec":{"containers":[{"name":"web","image":"nginx:1"}]}}}})", 201);
  EXPECT_EQ(created.at("metadata").at("generation"), 1);
  EXPECT_EQ(created.at("spec").at("replicas"), 1) << "defaulted";
  json::value stale = created;
  stale.at("spec").as_object()["replicas"] = 3;
  auto updated = call("PUT", "/apis/apps/v1/namespaces/default/deployments/web", json::serialize(stale), 200);
  EXPECT_EQ(updated.at("metadata").at("generation"), 2);
  auto conflict = call("PUT", "/apis/apps/v1/namespaces/default/deployments/web", json::serialize(stale), 409);
  EXPECT_EQ(conflict.at("reason"), "Conflict");
  // Labels are metadata: no new generation.
  auto labelled = call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web", R"({"metadata":{"labels":{"a":"b"}}})",
                       200, "application/merge-patch+json");
  EXPECT_EQ(labelled.at("metadata").at("generation"), 2);
  // Status only through /status; a PUT of the object keeps the stored status.
  json::value with_status = labelled;
  with_status.as_object()["status"] = json::parse(R"({"replicas":9,"observedGeneration":2})");
  auto ignored = call("PUT", "/apis/apps/v1/namespaces/default/deployments/web", json::serialize(with_status), 200);
  EXPECT_FALSE(ignored.as_object().contains("status") && ignored.at("status").as_object().contains("replicas"));
  auto status = call("PUT", "/apis/apps/v1/namespaces/default/deployments/web/status", json::serialize(with_status), 200);
  EXPECT_EQ(status.at("status").at("replicas"), 9);
  EXPECT_EQ(status.at("metadata").at("generation"), 2);
}

TEST_F(ApiHttpTest, ScaleSubresource) {
  call("POST", "/apis/apps/v1/namespaces/default/deployments", R"({"metadata":{"name":"web"},"spec":{"replicas":2,
    "selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
    "spec":{"containers":[{"name":"web","image":"nginx:1"}]}}}})", 201);
  auto scale = call("GET", "/apis/apps/v1/namespaces/default/deployments/web/scale", "", 200);
  EXPECT_EQ(scale.at("kind"), "Scale");
  EXPECT_EQ(scale.at("apiVersion"), "autoscaling/v1");
  EXPECT_EQ(scale.at("spec").at("replicas"), 2);
  EXPECT_EQ(scale.at("status").at("selector"), "app=web");
  call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", R"({"spec":{"replicas":5}})", 200,
       "application/merge-patch+json");
  EXPECT_EQ(call("GET", "/apis/apps/v1/namespaces/default/deployments/web").at("spec").at("replicas"), 5);
  call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", R"({"spec":{"replicas":-1}})", 422,
       "application/merge-patch+json");
}

TEST_F(ApiHttpTest, StrategicMergeJsonAndMergePatches) {
  call("POST", "/apis/apps/v1/namespaces/default/deployments", R"({"metadata":{"name":"d","labels":{"a":"1","b":"2"}},
    "spec":{"selector":{"matchLabels":{"app":"d"}},"template":{"metadata":{"labels":{"app":"d"}},"spec":{
    "containers":[{"name":"one","image":"x:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},
                  {"name":"two","image":"y:1","ports":[{"containerPort":80},{"containerPort":81}]}]}}}})", 201);
  // Containers merge by name, env by name, ports by containerPort; $setElementOrder orders;
  // $patch: delete removes one element; null removes a key.
  auto smp = call("PATCH", "/apis/apps/v1/namespaces/default/deployments/d", R"({"metadata":{"labels":{"b":null}},
    "spec":{"template":{"spec":{
    "$setElementOrder/containers":[{"name":"two"},{"name":"one"}],
    "containers":[{"name":"one","image":"x:2","env":[{"name":"B","value":"3"}]},
                  {"name":"two","ports":[{"containerPort":80,"$patch":"delete"}]}]}}}})", 200,
                  "application/strategic-merge-patch+json");
  EXPECT_FALSE(smp.at("metadata").at("labels").as_object().contains("b"));
  auto containers = smp.at("spec").at("template").at("spec").at("containers").as_array();
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0].at("name"), "two");
  EXPECT_EQ(containers[0].at("ports").as_array().size(), 1u);
  EXPECT_EQ(containers[0].at("ports").at(0).at("containerPort"), 81);
  EXPECT_EQ(containers[1].at("image"), "x:2");
  EXPECT_EQ(containers[1].at("env").as_array().size(), 2u);
  EXPECT_EQ(containers[1].at("env").at(1).at("value"), "3");
  EXPECT_EQ(smp.at("metadata").at("generation"), 2);
  auto finalized = call("PATCH", "/apis/apps/v1/namespaces/default/deployments/d",
                        R"({"metadata":{"finalizers":["a/b"]}})", 200, "application/strategic-merge-patch+json");
  EXPECT_EQ(finalized.at("metadata").at("finalizers").as_array().size(), 1u);
  auto jp = call("PATCH", "/apis/apps/v1/namespaces/default/deployments/d",
                 R"([{"op":"replace","path":"/metadata/labels/a","value":"9"},{"op":"remove","path":"/metadata/finalizers"}])",
                 200, "application/json-patch+json");
  EXPECT_EQ(jp.at("metadata").at("labels").at("a"), "9");
  EXPECT_FALSE(jp.at("metadata").as_object().contains("finalizers"));
  call("PATCH", "/apis/apps/v1/namespaces/default/deployments/d", R"([{"op":"test","path":"/metadata/labels/a","value":"0"}])",
       422, "application/json-patch+json");
  // Pods are mostly immutable.
  call("POST", "/api/v1/namespaces/default/pods", pod("p"), 201);
  auto forbidden = call("PATCH", "/api/v1/namespaces/default/pods/p", R"({"spec":{"restartPolicy":"Never"}})", 422,
                        "application/merge-patch+json");
  EXPECT_NE(std::string(forbidden.at("message").as_string()).find("pod updates may not change fields"), std::string::npos);
  call("PATCH", "/api/v1/namespaces/default/pods/p", R"({"spec":{"containers":[{"name":"c","image":"busybox:2"}]}})", 200,
       "application/strategic-merge-patch+json");
}

// kubectl debug's subresource: strategic merge (kubectl 1.22 and later), JSON patch and PUT;
// only spec.ephemeralContainers changes, they are only added; a plain update may not touch them.
TEST_F(ApiHttpTest, EphemeralContainersSubresource) {
  call("POST", "/api/v1/namespaces/default/pods", pod("dbg"), 201);
  const std::string sub = "/api/v1/namespaces/default/pods/dbg/ephemeralcontainers";
  auto got = call("GET", sub, "", 200);
  EXPECT_EQ(got.at("kind"), "Pod");
  auto added = call("PATCH", sub, R"({"metadata":{"labels":{"ignored":"yes"}},"spec":{"ephemeralContainers":[
      {"name":"debugger","image":"busybox:1","targetContainerName":"c","stdin":true,"tty":true}]}})", 200,
      "application/strategic-merge-patch+json");
  ASSERT_EQ(added.at("spec").at("ephemeralContainers").as_array().size(), 1u) << added;
  EXPECT_EQ(added.at("spec").at("ephemeralContainers").at(0).at("targetContainerName"), "c");
  EXPECT_FALSE(added.at("metadata").as_object().contains("labels")) << "only the ephemeral containers change";
  call("PATCH", sub, R"([{"op":"add","path":"/spec/ephemeralContainers/-","value":{"name":"second","image":"busybox:1"}}])",
       200, "application/json-patch+json");
  auto removed = call("PATCH", sub, R"([{"op":"remove","path":"/spec/ephemeralContainers/0"}])", 422,
                      "application/json-patch+json");
  EXPECT_NE(std::string(removed.at("message").as_string()).find("may not be removed"), std::string::npos) << removed;
  auto clash = call("PATCH", sub, R"({"spec":{"ephemeralContainers":[{"name":"c","image":"busybox:1"}]}})", 422,
                    "application/strategic-merge-patch+json");
  EXPECT_NE(std::string(clash.at("message").as_string()).find("Duplicate value: \"c\""), std::string::npos) << clash;
  auto plain = call("PATCH", "/api/v1/namespaces/default/pods/dbg",
                    R"({"spec":{"ephemeralContainers":[{"name":"third","image":"busybox:1"}]}})", 422,
                    "application/strategic-merge-patch+json");
  EXPECT_NE(std::string(plain.at("message").as_string()).find("pods/ephemeralcontainers"), std::string::npos) << plain;
  auto current = call("GET", "/api/v1/namespaces/default/pods/dbg", "", 200);
  EXPECT_EQ(current.at("spec").at("ephemeralContainers").as_array().size(), 2u);
  auto created = call("POST", "/api/v1/namespaces/default/pods", R"({"metadata":{"name":"born-with"},"spec":{
      "containers":[{"name":"c","image":"busybox"}],"ephemeralContainers":[{"name":"e","image":"busybox"}]}})", 422);
  EXPECT_NE(std::string(created.at("message").as_string()).find("cannot be set on create"), std::string::npos) << created;
  call("DELETE", sub, "", 405);
  // kubectl 1.20 and 1.21 write the subresource as Kubernetes 1.21's EphemeralContainers kind.
  auto legacy = call("PUT", sub, R"({"apiVersion":"v1","kind":"EphemeralContainers","metadata":{"name":"dbg"},
      "ephemeralContainers":[{"name":"old","image":"busybox:1"}]})", 400);
  EXPECT_NE(std::string(legacy.at("message").as_string()).find("use kubectl 1.22 or later for kubectl debug"),
            std::string::npos) << legacy;
}

TEST_F(ApiHttpTest, ScheduledPodsAreDeletedGracefullyOthersAtOnce) {
  call("POST", "/api/v1/namespaces/default/pods", pod("quick"), 201);
  call("DELETE", "/api/v1/namespaces/default/pods/quick", "", 200);
  call("GET", "/api/v1/namespaces/default/pods/quick", "", 404);

  call("POST", "/api/v1/namespaces/default/pods", pod("bound"), 201);
  call("POST", "/api/v1/namespaces/default/pods/bound/binding",
       R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"bound"},"target":{"kind":"Node","name":"node-1"}})", 201);
  auto bound = call("GET", "/api/v1/namespaces/default/pods/bound", "", 200);
  EXPECT_EQ(bound.at("spec").at("nodeName"), "node-1");
  EXPECT_EQ(bound.at("status").at("conditions").at(0).at("type"), "PodScheduled");
  call("POST", "/api/v1/namespaces/default/pods/bound/binding",
       R"({"metadata":{"name":"bound"},"target":{"kind":"Node","name":"node-2"}})", 409);
  auto terminating = call("DELETE", "/api/v1/namespaces/default/pods/bound", "", 200);
  EXPECT_FALSE(terminating.at("metadata").at("deletionTimestamp").as_string().empty());
  EXPECT_EQ(terminating.at("metadata").at("deletionGracePeriodSeconds"), 30);
  call("GET", "/api/v1/namespaces/default/pods/bound", "", 200);  // still there until its kubelet is done
  call("DELETE", "/api/v1/namespaces/default/pods/bound?gracePeriodSeconds=0", "", 200);
  call("GET", "/api/v1/namespaces/default/pods/bound", "", 404);
}

TEST_F(ApiHttpTest, FinalizersHoldDeletion) {
  call("POST", "/api/v1/namespaces/default/configmaps",
       R"({"metadata":{"name":"held","finalizers":["example.com/keep"]},"data":{"a":"b"}})", 201);
  auto deleting = call("DELETE", "/api/v1/namespaces/default/configmaps/held", "", 200);
  EXPECT_FALSE(deleting.at("metadata").at("deletionTimestamp").as_string().empty());
  call("GET", "/api/v1/namespaces/default/configmaps/held", "", 200);
  call("PATCH", "/api/v1/namespaces/default/configmaps/held", R"({"metadata":{"finalizers":null}})", 200,
       "application/merge-patch+json");
  call("GET", "/api/v1/namespaces/default/configmaps/held", "", 404);
}

TEST_F(ApiHttpTest, DeletingANamespaceRemovesItsContents) {
  call("POST", "/api/v1/namespaces", R"({"metadata":{"name":"team"}})", 201);
  call("POST", "/api/v1/namespaces/team/configmaps", R"({"metadata":{"name":"c"}})", 201);
  call("POST", "/api/v1/namespaces/team/pods", pod("p"), 201);
  auto ns = call("DELETE", "/api/v1/namespaces/team", "", 200);
  EXPECT_EQ(ns.at("status").at("phase"), "Terminating");
  auto refused = call("POST", "/api/v1/namespaces/team/configmaps", R"({"metadata":{"name":"late"}})", 403);
  EXPECT_NE(std::string(refused.at("message").as_string()).find("because it is being terminated"), std::string::npos);
  ASSERT_TRUE(test::wait_until([&] { return http.request("GET", "/api/v1/namespaces/team").status == 404; }, 20s));
  EXPECT_EQ(call("GET", "/api/v1/namespaces/team/configmaps", "", 200).at("items").as_array().size(), 0u);
}

TEST_F(ApiHttpTest, ListsPageAndFilter) {
  for (int i = 0; i < 7; ++i)
    call("POST", "/api/v1/namespaces/default/configmaps",
         R"({"metadata":{"name":"c)" + std::to_string(i) + R"(","labels":{"set":"page","parity":")" + (i % 2 ? "odd" : "even") + "\"}}}",
         201);
  // The namespace holds kube-root-ca.crt too (made by the apiserver): these lists ask for the test's own.
  auto page = call("GET", "/api/v1/namespaces/default/configmaps?labelSelector=set%3Dpage&limit=3", "", 200);
  EXPECT_EQ(page.at("kind"), "ConfigMapList");
  EXPECT_EQ(page.at("items").as_array().size(), 3u);
  std::string next(page.at("metadata").at("continue").as_string());
  auto rest = call("GET", "/api/v1/namespaces/default/configmaps?labelSelector=set%3Dpage&limit=10&continue=" + next, "", 200);
  EXPECT_EQ(rest.at("items").as_array().size(), 4u);
  EXPECT_EQ(call("GET", "/api/v1/configmaps?labelSelector=parity%3Dodd").at("items").as_array().size(), 3u);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dc4").at("items").as_array().size(), 1u);
  auto table = http.request("GET", "/api/v1/namespaces/default/configmaps?labelSelector=set%3Dpage", "", "",
                            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
  json::value t = json::parse(table.body);
  EXPECT_EQ(t.at("kind"), "Table");
  EXPECT_EQ(t.at("columnDefinitions").at(0).at("format"), "name");
  EXPECT_EQ(t.at("rows").as_array().size(), 7u);
}

// Without a limit the list is streamed a store page (1,000 objects) at a time; it must
// still be one document with every object once.
TEST_F(ApiHttpTest, AWholeListSpanningStorePagesIsOneDocument) {
  constexpr int kObjects = 2100;
  for (int i = 0; i < kObjects; ++i)
    call("POST", "/api/v1/namespaces/default/configmaps", R"({"metadata":{"name":"c)" + std::to_string(i) + "\"}}", 201);
  auto list = call("GET", "/api/v1/namespaces/default/configmaps", "", 200);
  ASSERT_TRUE(list.is_object()) << list;
  EXPECT_EQ(list.at("kind"), "ConfigMapList");
  EXPECT_FALSE(list.at("metadata").at("resourceVersion").as_string().empty());
  std::set<std::string> names;
  for (const auto& item : list.at("items").as_array()) names.emplace(item.at("metadata").at("name").as_string());
  names.erase("kube-root-ca.crt");  // the namespace's CA, made by the apiserver
  EXPECT_EQ(names.size(), std::size_t{kObjects});
  // The connection is still good for the next request.
  EXPECT_EQ(http.request("GET", "/api/v1/namespaces/default/configmaps/c7").status, 200);
}

TEST_F(ApiHttpTest, WatchesResumeFromARevisionAndSendBookmarks) {
  auto first = call("POST", "/api/v1/namespaces/default/configmaps", R"({"metadata":{"name":"a"}})", 201);
  std::string rv(first.at("metadata").at("resourceVersion").as_string());
  call("POST", "/api/v1/namespaces/default/configmaps", R"({"metadata":{"name":"b"}})", 201);
  call("DELETE", "/api/v1/namespaces/default/configmaps/a", "", 200);
  std::vector<std::string> events;
  std::string buffer;
  http.stream("/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=" + rv,
              [&](const std::string& chunk) {
                buffer += chunk;
                std::size_t newline;
                while ((newline = buffer.find('\n')) != std::string::npos) {
                  json::value e = json::parse(buffer.substr(0, newline));
                  buffer.erase(0, newline + 1);
                  events.push_back(std::string(e.at("type").as_string()) + ":" +
                                   std::string(e.at("object").at("metadata").as_object().contains("name")
                                                   ? e.at("object").at("metadata").at("name").as_string()
                                                   : json::string("")));
                }
                return events.size() < 3;
              },
              10s);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[0], "ADDED:b");
  EXPECT_EQ(events[1], "DELETED:a");
  EXPECT_EQ(events[2], "BOOKMARK:");
}

TEST_F(ApiHttpTest, PodLogsAndExecNeedTheKubelet) {
  call("POST", "/api/v1/namespaces/default/pods", pod("p"), 201);
  auto unscheduled = call("GET", "/api/v1/namespaces/default/pods/p/log", "", 400);
  EXPECT_EQ(unscheduled.at("message"), "pod p does not have a host assigned");
  call("POST", "/api/v1/namespaces/default/pods/p/binding", R"({"target":{"name":"node-1"}})", 201);
  auto unavailable = call("GET", "/api/v1/namespaces/default/pods/p/log", "", 503);
  EXPECT_NE(std::string(unavailable.at("message").as_string()).find("no kubelet serves node \"node-1\""), std::string::npos);
}

TEST_F(ApiHttpTest, DiscoveryAndOpenApi) {
  auto groups = call("GET", "/apis", "", 200);
  EXPECT_EQ(groups.at("kind"), "APIGroupList");
  std::vector<std::string> names;
  for (const auto& g : groups.at("groups").as_array()) names.emplace_back(g.at("name").as_string());
  EXPECT_EQ(names, (std::vector<std::string>{"apps", "batch", "networking.k8s.io", "discovery.k8s.io",
                                             "coordination.k8s.io", "node.k8s.io", "storage.k8s.io", "policy",
                                             "autoscaling", "apiextensions.k8s.io", "rbac.authorization.k8s.io", "authentication.k8s.io",
                                             "authorization.k8s.io"}));
  // autoscaling: v2 stored and preferred, v1 served by conversion, as Kubernetes lists them.
  const auto& autoscaling = groups.at("groups").as_array().at(8);
  EXPECT_EQ(autoscaling.at("preferredVersion").at("groupVersion"), "autoscaling/v2");
  EXPECT_EQ(autoscaling.at("versions"), json::parse(R"([{"groupVersion":"autoscaling/v2","version":"v2"},
                                                        {"groupVersion":"autoscaling/v1","version":"v1"}])"));
  for (const char* version : {"v1", "v2"}) {
    std::vector<std::string> hpa;
    auto listed = call("GET", std::string("/apis/autoscaling/") + version, "", 200);
    for (const auto& r : listed.at("resources").as_array()) hpa.emplace_back(r.at("name").as_string());
    EXPECT_EQ(hpa, (std::vector<std::string>{"horizontalpodautoscalers", "horizontalpodautoscalers/status"})) << version;
  }
  auto apps_v1 = call("GET", "/apis/apps/v1", "", 200);
  std::set<std::string> apps;
  for (const auto& r : apps_v1.at("resources").as_array()) apps.emplace(r.at("name").as_string());
  EXPECT_EQ(apps, (std::set<std::string>{"controllerrevisions", "daemonsets", "daemonsets/status", "deployments",
                                         "deployments/scale", "deployments/status", "replicasets", "replicasets/scale",
                                         "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"}));
  auto batch = call("GET", "/apis/batch/v1", "", 200);
  std::vector<std::string> batch_resources;
  for (const auto& r : batch.at("resources").as_array()) batch_resources.emplace_back(r.at("name").as_string());
  EXPECT_EQ(batch_resources, (std::vector<std::string>{"jobs", "jobs/status", "cronjobs", "cronjobs/status"}));
  EXPECT_EQ(batch.at("resources").as_array().at(2).at("shortNames"), json::array{"cj"});
  auto discovery = call("GET", "/apis/discovery.k8s.io/v1", "", 200);
  ASSERT_EQ(discovery.at("resources").as_array().size(), 1u);
  const auto& slices = discovery.at("resources").as_array().at(0);
  EXPECT_EQ(slices.at("name"), "endpointslices");
  EXPECT_EQ(slices.at("singularName"), "endpointslice");
  EXPECT_EQ(slices.at("kind"), "EndpointSlice");
  EXPECT_EQ(slices.at("namespaced"), true);
  EXPECT_FALSE(slices.as_object().contains("shortNames")) << "Kubernetes gives endpointslices no short name";
  auto core = call("GET", "/api/v1", "", 200);
  bool log = false;
  for (const auto& r : core.at("resources").as_array()) log = log || r.at("name") == "pods/log";
  EXPECT_TRUE(log);
  auto openapi = http.get("/openapi/v2", {{"Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"}});
  EXPECT_EQ(openapi.status, 200);
  EXPECT_EQ(openapi.headers["Content-Type"], "application/octet-stream");
  EXPECT_EQ(openapi.body.substr(0, 5), std::string("\x0a\x03" "2.0", 5));
  EXPECT_EQ(http.request("GET", "/apis/batch/v1beta1").status, 404);  // CronJobs left v1beta1 in Kubernetes 1.25
  auto version = call("GET", "/version", "", 200);
  EXPECT_EQ(version.at("minor"), "33");
}

TEST_F(ApiHttpTest, RequestsAreCountedInTheMetrics) {
  call("GET", "/api/v1/namespaces/default/pods/absent", "", 404);
  call("GET", "/api/v1/namespaces", "", 200);
  auto& plugin_node = node.node();
  sdk::Reply metrics = plugin_node.bus().request(plugin_node.subjects().plugin_metrics("apiserver"), "", 5s);
  ASSERT_TRUE(metrics.ok()) << metrics.status.message;
  EXPECT_NE(metrics.data.find(R"(skiff_apiserver_requests_total{method="GET",code="404"} 1)"), std::string::npos)
      << metrics.data;
  EXPECT_NE(metrics.data.find(R"(skiff_apiserver_requests_total{method="GET",code="200"})"), std::string::npos)
      << metrics.data;
}

TEST_F(ApiHttpTest, KubernetesRequestMetricsAreServedAtMetricsToAuthenticatedCallers) {
  EXPECT_EQ(test::HttpClient(node.port(), node.ca_file(), "").request("GET", "/metrics").status, 401);
  call("GET", "/api/v1/namespaces", "", 200);
  call("GET", "/apis/made.up/v1/things-" + std::to_string(node.port()), "", 404);
  auto reply = http.request("GET", "/metrics", "", "", "text/plain");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const std::string& text = reply.body;
  const std::string list = R"(verb="LIST",group="",version="v1",resource="namespaces",subresource="",scope="cluster",component="apiserver")";
  EXPECT_NE(text.find("apiserver_request_total{" + list + R"(,code="200"} 1)"), std::string::npos) << text;
  EXPECT_NE(text.find("apiserver_request_duration_seconds_bucket{" + list + R"(,le="60"} 1)"), std::string::npos) << text;
  EXPECT_NE(text.find("apiserver_request_duration_seconds_count{" + list + "} 1"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(apiserver_request_total{verb="LIST",group="other",version="other",resource="other",subresource="",scope="cluster",component="apiserver",code="404"} 1)"),
            std::string::npos)
      << "a made-up resource is not a label value\n" << text;
  EXPECT_EQ(text.find("made.up"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE apiserver_request_duration_seconds histogram"), std::string::npos) << text;
  EXPECT_NE(text.find("skiff_apiserver_requests_total{"), std::string::npos) << "Skiff's own stay";
  sdk::Reply bus = node.node().bus().request(node.node().subjects().plugin_metrics("apiserver"), "", 5s);
  ASSERT_TRUE(bus.ok()) << bus.status.message;
  EXPECT_NE(bus.data.find("apiserver_request_total{" + list), std::string::npos) << "the same on the bus";
}

TEST_F(ApiHttpTest, TokenReviewOnTheBusNamesTheTokensUser) {
  apiserver::v1::TokenReviewRequest request;
  request.set_token(node.token());
  auto known = sdk::call<apiserver::v1::TokenReviewResponse>(node.node().bus(), node.node().subjects().token_review(),
                                                             request, 5s);
  EXPECT_TRUE(known.authenticated());
  EXPECT_EQ(known.user(), "admin");
  EXPECT_EQ(std::vector<std::string>(known.groups().begin(), known.groups().end()),
            (std::vector<std::string>{"system:masters", "system:authenticated"}));
  request.set_token(node.token() + "x");
  auto unknown = sdk::call<apiserver::v1::TokenReviewResponse>(node.node().bus(), node.node().subjects().token_review(),
                                                               request, 5s);
  EXPECT_FALSE(unknown.authenticated());
  EXPECT_EQ(unknown.user(), "");
}

TEST_F(ApiHttpTest, MetricsGroupFollowsItsProvider) {
  auto has_metrics_group = [&] {
    json::value groups = call("GET", "/apis", "", 200);
    for (const auto& g : groups.at("groups").as_array())
      if (g.at("name") == "metrics.k8s.io") return true;
    return false;
  };
  EXPECT_FALSE(has_metrics_group());
  EXPECT_EQ(http.request("GET", "/apis/metrics.k8s.io/v1beta1").status, 404);
  namespace m = api::metrics::v1beta1;
  auto& bus_node = node.node();
  {
    auto provider = sdk::serve_proto<m::MetricsRequest>(
        bus_node.bus(), bus_node.subjects().resource_metrics("nodes"), "metrics",
        [](const m::MetricsRequest& r, const sdk::Request&) {
          m::MetricsResponse response;
          if (r.name().empty() || r.name() == "n1") {
            m::NodeMetrics usage;
            usage.mutable_metadata()->set_name("n1");
            (*usage.mutable_usage())["cpu"] = "1";
            response.add_items(usage.SerializeAsString());
          }
          return response;
        });
    ASSERT_TRUE(test::wait_until(has_metrics_group, 10s));
    auto resources = call("GET", "/apis/metrics.k8s.io/v1beta1", "", 200);
    EXPECT_EQ(resources.at("resources").as_array().size(), 2u);
    auto list = call("GET", "/apis/metrics.k8s.io/v1beta1/nodes", "", 200);
    EXPECT_EQ(list.at("kind"), "NodeMetricsList");
    EXPECT_EQ(list.at("items").at(0).at("usage").at("cpu"), "1");
    EXPECT_EQ(call("GET", "/apis/metrics.k8s.io/v1beta1/nodes/n1", "", 200).at("kind"), "NodeMetrics");
    auto missing = call("GET", "/apis/metrics.k8s.io/v1beta1/nodes/n2", "", 404);
    EXPECT_EQ(missing.at("message"), "nodemetrics.metrics.k8s.io \"n2\" not found");
    call("DELETE", "/apis/metrics.k8s.io/v1beta1/nodes/n1", "", 405);
  }
  ASSERT_TRUE(test::wait_until([&] { return !has_metrics_group(); }, 15s));
}

// One HorizontalPodAutoscaler, stored once, seen through autoscaling/v1 and v2: create, get,
// list, table rows, merge patch and update in v1 keep what only v2 can say.
TEST_F(ApiHttpTest, AutoscalingV1IsAViewOfTheStoredV2) {
  const std::string v1 = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers";
  const std::string v2 = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers";
  auto made = call("POST", v1, R"({"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"web"},
      "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"maxReplicas":5,
              "targetCPUUtilizationPercentage":60}})", 201);
  EXPECT_EQ(made.at("apiVersion"), "autoscaling/v1");
  EXPECT_EQ(made.at("spec").at("minReplicas"), 1);
  EXPECT_EQ(made.at("spec").at("targetCPUUtilizationPercentage"), 60);
  auto stored = call("GET", v2 + "/web", "", 200);
  EXPECT_EQ(stored.at("spec").at("metrics"), json::parse(R"([{"type":"Resource","resource":{"name":"cpu",
      "target":{"type":"Utilization","averageUtilization":60}}}])"));

  // A v2-only field survives a v1 client's read-modify-write.
  call("PATCH", v2 + "/web", R"({"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":60}}}})", 200,
       "application/merge-patch+json");
  auto seen = call("GET", v1 + "/web", "", 200);
  EXPECT_TRUE(seen.at("metadata").at("annotations").as_object().contains("autoscaling.alpha.kubernetes.io/behavior"));
  seen.as_object()["spec"].as_object()["maxReplicas"] = 7;
  EXPECT_EQ(call("PUT", v1 + "/web", json::serialize(seen), 200).at("spec").at("maxReplicas"), 7);
  auto patched = call("PATCH", v1 + "/web", R"({"spec":{"targetCPUUtilizationPercentage":70}})", 200,
                      "application/merge-patch+json");
  EXPECT_EQ(patched.at("spec").at("targetCPUUtilizationPercentage"), 70);
  stored = call("GET", v2 + "/web", "", 200);
  EXPECT_EQ(stored.at("spec").at("maxReplicas"), 7);
  EXPECT_EQ(stored.at("spec").at("behavior").at("scaleDown").at("stabilizationWindowSeconds"), 60);
  EXPECT_EQ(stored.at("spec").at("metrics").at(0).at("resource").at("target").at("averageUtilization"), 70);
  EXPECT_FALSE(stored.at("metadata").as_object().contains("annotations"));

  auto list = call("GET", v1, "", 200);
  EXPECT_EQ(list.at("kind"), "HorizontalPodAutoscalerList");
  EXPECT_EQ(list.at("apiVersion"), "autoscaling/v1");
  EXPECT_EQ(list.at("items").at(0).at("apiVersion"), "autoscaling/v1");
  auto table = http.request("GET", v1 + "?includeObject=Object", "", "",
                            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
  json::value t = json::parse(table.body);
  EXPECT_EQ(t.at("rows").at(0).at("cells").at(2), "cpu: <unknown>/70%");
  EXPECT_EQ(t.at("rows").at(0).at("object").at("apiVersion"), "autoscaling/v1");

  auto wrong = call("POST", v1, R"({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"x"}})", 400);
  EXPECT_NE(std::string(wrong.at("message").as_string()).find("does not match the expected API version (autoscaling/v1)"),
            std::string::npos) << wrong;
  auto invalid = call("POST", v1, R"({"metadata":{"name":"bad"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"w"},
      "minReplicas":3,"maxReplicas":2,"targetCPUUtilizationPercentage":0}})", 422);
  EXPECT_NE(std::string(invalid.at("message").as_string()).find("spec.maxReplicas: Invalid value: 2: must be greater than "
                                                                "or equal to `minReplicas`"), std::string::npos) << invalid;
  call("DELETE", v1 + "/web", "", 200);
  call("GET", v2 + "/web", "", 404);
}

}  // namespace
