// Ingresses and IngressClasses over the HTTP API: discovery, the status subresource that an
// ingress controller writes (spec and status never change each other), the default class
// given on create, the 403 when two classes claim the default, and 422s naming the field.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api_node.hpp"
#include "http_client.hpp"

namespace {

using namespace skiff;
namespace json = boost::json;

const std::string kClasses = "/apis/networking.k8s.io/v1/ingressclasses";
const std::string kIngresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses";

std::string ingress_class(const std::string& name, bool is_default) {
  std::string annotations =
      is_default ? R"(,"annotations":{"ingressclass.kubernetes.io/is-default-class":"true"})" : "";
  return R"({"apiVersion":"networking.k8s.io/v1","kind":"IngressClass","metadata":{"name":")" + name + "\"" + annotations +
         R"(},"spec":{"controller":"skiff.io/ingress"}})";
}

// One rule: host → web:80 for every path under /.
std::string ingress(const std::string& name, const std::string& host = "example.com", const std::string& spec_extra = "") {
  return R"({"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":")" + name + R"("},"spec":{)" +
         spec_extra + R"("rules":[{"host":")" + host +
         R"(","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}})";
}

class ApiIngressTest : public ::testing::Test {
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
};

const json::object* find_resource(const json::value& list, const std::string& name) {
  for (const auto& r : list.at("resources").as_array())
    if (r.at("name") == name.c_str()) return &r.as_object();
  return nullptr;
}

TEST_F(ApiIngressTest, DiscoveryListsIngressClassesClusterScopedAndIngressStatus) {
  auto list = call("GET", "/apis/networking.k8s.io/v1", "", 200);
  const auto* classes = find_resource(list, "ingressclasses");
  ASSERT_NE(classes, nullptr) << list;
  EXPECT_EQ(classes->at("kind"), "IngressClass");
  EXPECT_EQ(classes->at("namespaced"), false);
  EXPECT_EQ(classes->at("singularName"), "ingressclass");
  EXPECT_FALSE(classes->contains("shortNames")) << "Kubernetes gives IngressClass none";
  EXPECT_EQ(find_resource(list, "ingressclasses/status"), nullptr) << "an IngressClass has no status";
  ASSERT_NE(find_resource(list, "ingresses/status"), nullptr) << list;
  call("POST", kClasses, ingress_class("skiff", false), 201);
  call("GET", kClasses + "/skiff", "", 200);
  call("GET", "/apis/networking.k8s.io/v1/namespaces/default/ingressclasses/skiff", "", 404);
}

TEST_F(ApiIngressTest, StatusAndSpecAreWrittenApart) {
  auto created = call("POST", kIngresses, ingress("site"), 201);
  EXPECT_EQ(created.at("metadata").at("generation"), 1);

  // The controller's write: a status, with a stale spec it must not be able to change.
  json::value report = created;
  report.at("spec").at("rules").at(0).as_object()["host"] = "changed.example.com";
  report.as_object()["status"] = json::parse(R"({"loadBalancer":{"ingress":[{"ip":"192.0.2.10"}]}})");
  auto reported = call("PUT", kIngresses + "/site/status", json::serialize(report), 200);
  EXPECT_EQ(reported.at("status").at("loadBalancer").at("ingress").at(0).at("ip"), "192.0.2.10");
  EXPECT_EQ(reported.at("spec").at("rules").at(0).at("host"), "example.com") << "a status write leaves the spec";
  EXPECT_EQ(reported.at("metadata").at("generation"), 1);

  // A user's write: a spec, with a status it must not be able to change.
  auto edited = call("PATCH", kIngresses + "/site",
                     R"({"spec":{"rules":[{"host":"www.example.com","http":{"paths":[{"path":"/","pathType":"Prefix",)"
                     R"("backend":{"service":{"name":"web","port":{"number":80}}}}]}}]},)"
                     R"("status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.1"}]}}})",
                     200, "application/merge-patch+json");
  EXPECT_EQ(edited.at("spec").at("rules").at(0).at("host"), "www.example.com");
  EXPECT_EQ(edited.at("status").at("loadBalancer").at("ingress").at(0).at("ip"), "192.0.2.10") << "the status stays";
  EXPECT_EQ(edited.at("metadata").at("generation"), 2);

  auto patched = call("PATCH", kIngresses + "/site/status",
                      R"({"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.11","ports":[{"port":443,"protocol":"TCP"}]}]}}})",
                      200, "application/merge-patch+json");
  EXPECT_EQ(patched.at("status").at("loadBalancer").at("ingress").at(0).at("ports").at(0).at("port"), 443);
  EXPECT_EQ(call("GET", kIngresses + "/site/status", "", 200).at("status").at("loadBalancer").at("ingress").at(0).at("ip"),
            "192.0.2.11");

  auto bad = call("PATCH", kIngresses + "/site/status", R"({"status":{"loadBalancer":{"ingress":[{"ip":"nope"}]}}})", 422,
                  "application/merge-patch+json");
  EXPECT_EQ(bad.at("details").at("causes").at(0).at("field"), "status.loadBalancer.ingress[0].ip") << bad;
}

TEST_F(ApiIngressTest, TheDefaultClassIsGivenOnCreateOnly) {
  auto before = call("POST", kIngresses, ingress("early"), 201);
  EXPECT_FALSE(before.at("spec").as_object().contains("ingressClassName")) << "no class yet, none given";
  call("POST", kClasses, ingress_class("skiff", true), 201);
  call("POST", kClasses, ingress_class("other", false), 201);
  auto created = call("POST", kIngresses, ingress("late"), 201);
  EXPECT_EQ(created.at("spec").at("ingressClassName"), "skiff");
  auto chosen = call("POST", kIngresses, ingress("chosen", "example.com", R"("ingressClassName":"other",)"), 201);
  EXPECT_EQ(chosen.at("spec").at("ingressClassName"), "other");
  auto updated = call("PATCH", kIngresses + "/early", R"({"metadata":{"labels":{"a":"b"}}})", 200,
                      "application/merge-patch+json");
  EXPECT_FALSE(updated.at("spec").as_object().contains("ingressClassName")) << "Kubernetes defaults on create only";
}

TEST_F(ApiIngressTest, TwoDefaultClassesRefuseAnIngressWithoutAClass) {
  call("POST", kClasses, ingress_class("skiff", true), 201);
  call("POST", kClasses, ingress_class("nginx", true), 201);
  auto refused = call("POST", kIngresses, ingress("site"), 403);
  EXPECT_EQ(refused.at("kind"), "Status");
  EXPECT_EQ(refused.at("reason"), "Forbidden");
  EXPECT_EQ(refused.at("message"), "ingresses.networking.k8s.io \"site\" is forbidden: Internal error occurred: 2 default "
                                   "IngressClasses were found, only 1 allowed");
  EXPECT_EQ(refused.at("details").at("kind"), "ingresses");
  call("GET", kIngresses + "/site", "", 404);
  call("POST", kIngresses, ingress("named", "example.com", R"("ingressClassName":"nginx",)"), 201);
}

TEST_F(ApiIngressTest, InvalidObjectsAre422NamingTheField) {
  auto bad_host = call("POST", kIngresses, ingress("ip-host", "192.0.2.1"), 422);
  EXPECT_EQ(bad_host.at("reason"), "Invalid");
  EXPECT_EQ(bad_host.at("message"), "Ingress.networking.k8s.io \"ip-host\" is invalid: spec.rules[0].host: Invalid value: "
                                    "\"192.0.2.1\": must be a DNS name, not an IP address");
  EXPECT_EQ(bad_host.at("details").at("causes").at(0).at("field"), "spec.rules[0].host");
  auto no_controller = call("POST", kClasses, R"({"metadata":{"name":"empty"},"spec":{}})", 422);
  EXPECT_EQ(no_controller.at("message"), "IngressClass.networking.k8s.io \"empty\" is invalid: spec.controller: Required value");
  call("POST", kClasses, ingress_class("skiff", false), 201);
  auto moved = call("PATCH", kClasses + "/skiff", R"({"spec":{"controller":"example.com/other"}})", 422,
                    "application/merge-patch+json");
  EXPECT_EQ(moved.at("details").at("causes").at(0).at("message"), "Invalid value: \"example.com/other\": field is immutable");
}

}  // namespace
