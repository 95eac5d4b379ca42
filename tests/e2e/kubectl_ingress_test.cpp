// Ingresses and IngressClasses as the real kubectl (1.20, 1.27, the machine's) shows them:
// api-resources, `kubectl apply` of both, the server's tables for `get ingressclass` and
// `get ingress` (CLASS filled in by the default class), and refusals that name the field.
#include <gtest/gtest.h>

#include <regex>

#include "api_node.hpp"
#include "kubectl_versions.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

const char* kClasses = R"(apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: skiff
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: skiff.io/ingress
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: external
spec:
  controller: example.com/ingress
  parameters:
    apiGroup: k8s.example.com
    kind: IngressParameters
    name: external-lb
)";

// An Ingress for `host` with one Prefix path to web:80; `class_line` adds spec lines.
std::string ingress(const std::string& name, const std::string& host, const std::string& class_line = "",
                    const std::string& path = "/") {
  return "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name + "\nspec:\n" + class_line +
         "  rules:\n  - host: \"" + host + "\"\n    http:\n      paths:\n      - path: \"" + path +
         "\"\n        pathType: Prefix\n        backend:\n          service:\n            name: web\n"
         "            port:\n              number: 80\n";
}

class KubectlIngress : public ::testing::TestWithParam<test::Kubectl> {
 protected:
  void SetUp() override {
    SKIFF_REQUIRE_KUBECTL(GetParam());
    node = std::make_unique<test::ApiNode>();
  }
  void TearDown() override {
    if (HasFailure() && node) std::fprintf(stderr, "skiffd output:\n%s\n", node->node().output().c_str());
  }
  test::CommandResult run(std::vector<std::string> args, const std::string& stdin_text = "") {
    return node->kubectl(GetParam().binary, args, stdin_text, 90s);
  }
  std::string ok(std::vector<std::string> args, const std::string& stdin_text = "") {
    auto r = run(args, stdin_text);
    EXPECT_EQ(r.exit_code, 0) << "kubectl " << args[0] << " " << (args.size() > 1 ? args[1] : "") << ": " << r.both();
    return r.out;
  }
  // kubectl's output of a command that must fail.
  std::string refused(std::vector<std::string> args, const std::string& stdin_text = "") {
    auto r = run(args, stdin_text);
    EXPECT_NE(r.exit_code, 0) << "kubectl " << args[0] << " succeeded: " << r.both();
    return r.both();
  }

  std::unique_ptr<test::ApiNode> node;
};

TEST_P(KubectlIngress, ClassesAndIngressesApplyListAndRefuse) {
  std::string resources = ok({"api-resources", "--api-group=networking.k8s.io"});
  EXPECT_TRUE(std::regex_search(resources, std::regex(R"(\ningressclasses\s+networking.k8s.io/v1\s+false\s+IngressClass)")))
      << resources;

  ok({"apply", "-f", "-"}, kClasses);
  std::string classes = ok({"get", "ingressclass"});
  EXPECT_TRUE(std::regex_search(classes, std::regex(R"(^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE\n)"))) << classes;
  EXPECT_TRUE(std::regex_search(classes, std::regex(R"(\nskiff\s+skiff\.io/ingress\s+<none>\s+\d+s\n)"))) << classes;
  EXPECT_TRUE(std::regex_search(
      classes, std::regex(R"(\nexternal\s+example\.com/ingress\s+IngressParameters\.k8s\.example\.com/external-lb\s+\d+s\n)")))
      << classes;
  EXPECT_NE(ok({"get", "ingressclass", "external", "-o", "yaml"}).find("scope: Cluster"), std::string::npos)
      << "parameters' scope defaulted";

  // No class named: the default one is given. A class named: kept.
  ok({"apply", "-f", "-"}, ingress("shop", "shop.example.com"));
  ok({"apply", "-f", "-"}, ingress("api", "api.example.com", "  ingressClassName: external\n"));
  std::string table = ok({"get", "ingress"});
  EXPECT_TRUE(std::regex_search(table, std::regex(R"(^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\n)"))) << table;
  EXPECT_TRUE(std::regex_search(table, std::regex(R"(\nshop\s+skiff\s+shop\.example\.com\s+80\s+\d+s\n)"))) << table;
  EXPECT_TRUE(std::regex_search(table, std::regex(R"(\napi\s+external\s+api\.example\.com\s+80\s+\d+s\n)"))) << table;

  // Invalid: every cause, each with its field, as kubectl prints a 422.
  std::string invalid = refused({"apply", "-f", "-"}, ingress("bad", "192.0.2.1", "", "/a//b"));
  EXPECT_NE(invalid.find("The Ingress \"bad\" is invalid"), std::string::npos) << invalid;
  EXPECT_NE(invalid.find("spec.rules[0].host: Invalid value: \"192.0.2.1\": must be a DNS name, not an IP address"),
            std::string::npos) << invalid;
  EXPECT_NE(invalid.find("spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'"),
            std::string::npos) << invalid;
  std::string moved = refused({"apply", "-f", "-"},
                              "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: skiff\nspec:\n"
                              "  controller: example.com/other\n");
  EXPECT_NE(moved.find("The IngressClass \"skiff\" is invalid: spec.controller: Invalid value: \"example.com/other\": "
                       "field is immutable"), std::string::npos) << moved;

  // A second default class: an Ingress without a class is refused, as Kubernetes refuses it.
  ok({"annotate", "ingressclass", "external", "ingressclass.kubernetes.io/is-default-class=true"});
  std::string forbidden = refused({"apply", "-f", "-"}, ingress("late", "late.example.com"));
  EXPECT_NE(forbidden.find("ingresses.networking.k8s.io \"late\" is forbidden: Internal error occurred: 2 default "
                           "IngressClasses were found, only 1 allowed"), std::string::npos) << forbidden;
  EXPECT_EQ(ok({"get", "ingress", "-o", "name"}), "ingress.networking.k8s.io/api\ningress.networking.k8s.io/shop\n");
}

// `kubectl create ingress` (1.27+ sends Kubernetes protobuf) with paths of each kind, TLS, a
// default backend and a class.
TEST_P(KubectlIngress, CreateIngressBuildsTheSpec) {
  ok({"apply", "-f", "-"}, kClasses);
  EXPECT_NE(ok({"create", "ingress", "web", "--class=skiff", "--rule=web.test/api*=web:http,tls=web-tls",
                "--rule=web.test/exact=web:80", "--default-backend=web:80"})
                .find("ingress.networking.k8s.io/web created"),
            std::string::npos);
  EXPECT_EQ(ok({"get", "ingress", "web", "-o",
                "jsonpath={.spec.ingressClassName} {.spec.defaultBackend.service.port.number} "
                "{range .spec.rules[*].http.paths[*]}{.path}:{.pathType}:{.backend.service.port.name}"
                "{.backend.service.port.number} {end}{.spec.tls[0].hosts[0]}/{.spec.tls[0].secretName}"}),
            "skiff 80 /api:Prefix:http /exact:Exact:80 web.test/web-tls");
}

INSTANTIATE_TEST_SUITE_P(Clients, KubectlIngress, test::all_kubectls(), test::kubectl_name);

}  // namespace
