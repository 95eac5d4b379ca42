// Ingress and IngressClass validation: every rule Kubernetes' networking validation has, with
// its message and field path, as kubectl would print them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "skiff/api/networking/v1/networking.pb.h"
#include "validation_causes.hpp"

namespace {

using namespace skiff;
using namespace skiff::validation_testing;
namespace net = api::networking::v1;
using Causes = std::vector<std::string>;

const std::string kSubdomainHelp =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const std::string kWildcardHelp =
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower "
    "case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used "
    "for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const std::string kDns1035Help =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and "
    "end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
    "'[a-z]([-a-z0-9]*[a-z0-9])?')";
const std::string kLabelHelp =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with "
    "an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const std::string kPath0 = "spec.rules[0].http.paths[0]";

void service_backend(net::IngressBackend* backend, const std::string& service, int port) {
  backend->mutable_service()->set_name(service);
  backend->mutable_service()->mutable_port()->set_number(port);
}

net::HTTPIngressPath* add_path(net::IngressRule* rule, const std::string& path, const std::string& type) {
  auto* p = rule->mutable_http()->add_paths();
  p->set_path(path);
  p->set_path_type(type);
  service_backend(p->mutable_backend(), "web", 80);
  return p;
}

// One rule for example.com with one Prefix path "/" to web:80.
net::Ingress ingress() {
  net::Ingress ing;
  name(ing, "site");
  auto* rule = ing.mutable_spec()->add_rules();
  rule->set_host("example.com");
  add_path(rule, "/", "Prefix");
  return ing;
}

net::HTTPIngressPath& path0(net::Ingress& ing) { return *ing.mutable_spec()->mutable_rules(0)->mutable_http()->mutable_paths(0); }

// The causes of an Ingress whose only path has this path and type.
Causes path_causes(const std::string& path, const std::string& type) {
  auto ing = ingress();
  path0(ing).set_path(path);
  path0(ing).set_path_type(type);
  return causes(ing);
}

Causes host_causes(const std::string& host) {
  auto ing = ingress();
  ing.mutable_spec()->mutable_rules(0)->set_host(host);
  return causes(ing);
}

TEST(IngressValidation, AFullIngressPasses) {
  auto ing = ingress();
  auto* spec = ing.mutable_spec();
  spec->set_ingress_class_name("skiff");
  service_backend(spec->mutable_default_backend(), "fallback", 8080);
  auto* wildcard = spec->add_rules();
  wildcard->set_host("*.apps.example.com");
  add_path(wildcard, "/api", "Exact");
  auto* by_name = add_path(wildcard, "", "ImplementationSpecific")->mutable_backend()->mutable_service()->mutable_port();
  by_name->set_number(0);
  by_name->set_name("http");
  auto* resource = add_path(spec->add_rules(), "/static", "Prefix")->mutable_backend();
  resource->clear_service();
  resource->mutable_resource()->set_api_group("k8s.example.com");
  resource->mutable_resource()->set_kind("StorageBucket");
  resource->mutable_resource()->set_name("static-assets");
  auto* tls = spec->add_tls();
  tls->add_hosts("example.com");
  tls->add_hosts("*.apps.example.com");
  tls->set_secret_name("site-tls");
  ing.mutable_status()->mutable_load_balancer()->add_ingress()->set_ip("192.0.2.10");
  EXPECT_EQ(causes(ing), Causes{});
}

TEST(IngressValidation, NeedsADefaultBackendOrRules) {
  net::Ingress ing;
  name(ing, "empty");
  EXPECT_EQ(causes(ing), Causes{"spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` "
                                "must be specified"});
  service_backend(ing.mutable_spec()->mutable_default_backend(), "web", 80);
  EXPECT_EQ(causes(ing), Causes{}) << "a default backend alone is enough";
}

TEST(IngressValidation, PathTypeIsRequiredAndOneOfThree) {
  auto ing = ingress();
  path0(ing).clear_path_type();
  path0(ing).mutable_backend()->clear_service();
  EXPECT_EQ(causes(ing), Causes{kPath0 + ".pathType: Required value: pathType must be specified"})
      << "without a type, Kubernetes looks no further (the missing backend is not reported)";
  EXPECT_EQ(path_causes("/", "Regex"),
            Causes{kPath0 + ".pathType: Unsupported value: \"Regex\": supported values: \"Exact\", "
                            "\"ImplementationSpecific\", \"Prefix\""});
  for (const char* type : {"Exact", "Prefix", "ImplementationSpecific"}) EXPECT_EQ(path_causes("/a", type), Causes{}) << type;
}

TEST(IngressValidation, ExactAndPrefixPathsAreAbsolute) {
  for (const char* type : {"Exact", "Prefix"}) {
    EXPECT_EQ(path_causes("api", type), Causes{kPath0 + ".path: Invalid value: \"api\": must be an absolute path"}) << type;
    EXPECT_EQ(path_causes("", type), Causes{kPath0 + ".path: Invalid value: \"\": must be an absolute path"}) << type;
  }
  EXPECT_EQ(path_causes("", "ImplementationSpecific"), Causes{}) << "an empty path means every path";
  EXPECT_EQ(path_causes("api", "ImplementationSpecific"),
            Causes{kPath0 + ".path: Invalid value: \"api\": must be an absolute path"});
  EXPECT_EQ(path_causes("/a//b/../c", "ImplementationSpecific"), Causes{}) << "only Exact and Prefix are held to clean paths";
}

TEST(IngressValidation, ExactAndPrefixPathsHaveNoInvalidSequences) {
  for (const char* type : {"Exact", "Prefix"}) {
    EXPECT_EQ(path_causes("/a//b", type), Causes{kPath0 + ".path: Invalid value: \"/a//b\": must not contain '//'"});
    EXPECT_EQ(path_causes("/a/./b", type), Causes{kPath0 + ".path: Invalid value: \"/a/./b\": must not contain '/./'"});
    EXPECT_EQ(path_causes("/a/../b", type), Causes{kPath0 + ".path: Invalid value: \"/a/../b\": must not contain '/../'"});
    EXPECT_EQ(path_causes("/a%2fb", type), Causes{kPath0 + ".path: Invalid value: \"/a%2fb\": must not contain '%2f'"});
    EXPECT_EQ(path_causes("/a%2Fb", type), Causes{kPath0 + ".path: Invalid value: \"/a%2Fb\": must not contain '%2F'"});
    EXPECT_EQ(path_causes("/a/..", type), Causes{kPath0 + ".path: Invalid value: \"/a/..\": cannot end with '/..'"});
    EXPECT_EQ(path_causes("/a/.", type), Causes{kPath0 + ".path: Invalid value: \"/a/.\": cannot end with '/.'"});
    EXPECT_EQ(path_causes("/a.b/c..d/.well-known", type), Causes{}) << "dots inside a segment are fine";
  }
  EXPECT_EQ(path_causes("/a/../b//", "Prefix"),
            (Causes{kPath0 + ".path: Invalid value: \"/a/../b//\": must not contain '//'",
                    kPath0 + ".path: Invalid value: \"/a/../b//\": must not contain '/../'"}))
      << "every problem is reported, in Kubernetes' order";
}

TEST(IngressValidation, HostsAreNamesOrOneLeadingWildcard) {
  EXPECT_EQ(host_causes("*.example.com"), Causes{});
  EXPECT_EQ(host_causes(""), Causes{}) << "no host matches every host";
  EXPECT_EQ(host_causes("Example.com"), Causes{"spec.rules[0].host: Invalid value: \"Example.com\": " + kSubdomainHelp});
  EXPECT_EQ(host_causes("192.0.2.1"),
            Causes{"spec.rules[0].host: Invalid value: \"192.0.2.1\": must be a DNS name, not an IP address"});
  EXPECT_EQ(host_causes("2001:db8::1"),
            (Causes{"spec.rules[0].host: Invalid value: \"2001:db8::1\": must be a DNS name, not an IP address",
                    "spec.rules[0].host: Invalid value: \"2001:db8::1\": " + kSubdomainHelp}));
  for (const char* bad : {"*", "*.*.example.com", "foo.*.example.com", "*example.com", "f*.example.com"})
    EXPECT_EQ(host_causes(bad), Causes{"spec.rules[0].host: Invalid value: \"" + std::string(bad) + "\": " + kWildcardHelp})
        << bad;
}

TEST(IngressValidation, ARuleWithHttpNeedsPaths) {
  auto ing = ingress();
  ing.mutable_spec()->mutable_rules(0)->mutable_http()->clear_paths();
  EXPECT_EQ(causes(ing), Causes{"spec.rules[0].http.paths: Required value"});
  ing.mutable_spec()->mutable_rules(0)->clear_http();
  EXPECT_EQ(causes(ing), Causes{}) << "a rule with a host only is allowed";
}

TEST(IngressValidation, ABackendIsAServiceOrAResourceNotBoth) {
  auto ing = ingress();
  auto* backend = path0(ing).mutable_backend();
  backend->mutable_resource()->set_kind("Bucket");
  backend->mutable_resource()->set_name("b");
  EXPECT_EQ(causes(ing), Causes{kPath0 + ".backend: Invalid value: \"\": cannot set both resource and service backends"});
  backend->clear_resource();
  backend->clear_service();
  EXPECT_EQ(causes(ing), Causes{kPath0 + ".backend: Invalid value: \"\": resource or service backend is required"});
}

TEST(IngressValidation, AResourceBackendNeedsKindAndNameAsPathSegments) {
  auto ing = ingress();
  auto* backend = path0(ing).mutable_backend();
  backend->clear_service();
  backend->mutable_resource();
  const std::string at = kPath0 + ".backend.resource";
  EXPECT_EQ(causes(ing), (Causes{at + ".kind: Required value", at + ".name: Required value"}));
  backend->mutable_resource()->set_api_group("Bad_Group");
  backend->mutable_resource()->set_kind("a/b%");
  backend->mutable_resource()->set_name("..");
  EXPECT_EQ(causes(ing), (Causes{at + ".apiGroup: Invalid value: \"Bad_Group\": " + kSubdomainHelp,
                                 at + ".kind: Invalid value: \"a/b%\": may not contain '/'",
                                 at + ".kind: Invalid value: \"a/b%\": may not contain '%'",
                                 at + ".name: Invalid value: \"..\": may not be '..'"}));
}

TEST(IngressValidation, AServiceBackendHasADns1035NameAndExactlyOnePort) {
  auto ing = ingress();
  auto* service = path0(ing).mutable_backend()->mutable_service();
  const std::string at = kPath0 + ".backend";
  service->set_name("");
  EXPECT_EQ(causes(ing), Causes{at + ".service.name: Required value"});
  service->set_name("9web");
  EXPECT_EQ(causes(ing), Causes{at + ".service.name: Invalid value: \"9web\": " + kDns1035Help});
  service->set_name("web");
  service->mutable_port()->set_name("http");
  EXPECT_EQ(causes(ing), Causes{at + ": Invalid value: \"\": cannot set both port name & port number"});
  service->mutable_port()->set_number(0);
  service->mutable_port()->set_name("web--http");
  EXPECT_EQ(causes(ing), Causes{at + ".service.port.name: Invalid value: \"web--http\": must not contain consecutive hyphens"});
  service->mutable_port()->set_name("");
  EXPECT_EQ(causes(ing), Causes{at + ": Required value: port name or number is required"});
  service->mutable_port()->set_number(70000);
  EXPECT_EQ(causes(ing), Causes{at + ".service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive"});
  service->mutable_port()->set_number(-1);
  EXPECT_EQ(causes(ing), Causes{at + ".service.port.number: Invalid value: -1: must be between 1 and 65535, inclusive"});
}

TEST(IngressValidation, TheDefaultBackendIsCheckedLikeAnyOther) {
  auto ing = ingress();
  service_backend(ing.mutable_spec()->mutable_default_backend(), "Web", 0);
  EXPECT_EQ(causes(ing), (Causes{"spec.defaultBackend.service.name: Invalid value: \"Web\": " + kDns1035Help,
                                 "spec.defaultBackend: Required value: port name or number is required"}));
}

TEST(IngressValidation, TlsHostsAndSecretNames) {
  auto ing = ingress();
  auto* tls = ing.mutable_spec()->add_tls();
  tls->add_hosts("example.com");
  tls->add_hosts("Bad_Host");
  tls->add_hosts("*.*.example.com");
  tls->set_secret_name("Site_TLS");
  EXPECT_EQ(causes(ing), (Causes{"spec.tls[0].hosts[1]: Invalid value: \"Bad_Host\": " + kSubdomainHelp,
                                 "spec.tls[0].hosts[2]: Invalid value: \"*.*.example.com\": " + kWildcardHelp,
                                 "spec.tls[0].secretName: Invalid value: \"Site_TLS\": " + kSubdomainHelp}));
  tls->clear_hosts();
  tls->clear_secret_name();
  EXPECT_EQ(causes(ing), Causes{}) << "TLS without a secret name (the controller's default certificate) is allowed";
}

TEST(IngressValidation, AnUpdateKeepsAcceptingWhatWasStoredBefore) {
  // Kubernetes lets a stored Ingress with a bad secret name or bad wildcard rules be edited.
  auto old = ingress();
  old.mutable_spec()->add_tls()->set_secret_name("Old_Secret");
  auto* wildcard = old.mutable_spec()->add_rules();
  wildcard->set_host("*.example.com");
  add_path(wildcard, "/a//b", "Prefix");
  auto next = old;
  next.mutable_metadata()->mutable_labels()->insert({"edited", "true"});
  EXPECT_EQ(causes(next, &old), Causes{});
  EXPECT_FALSE(causes(next).empty()) << "on create, both are refused";
  add_path(next.mutable_spec()->mutable_rules(0), "/x//y", "Exact");
  EXPECT_EQ(causes(next, &old), Causes{"spec.rules[0].http.paths[1].path: Invalid value: \"/x//y\": must not contain '//'"})
      << "rules without a wildcard host are still checked";
}

TEST(IngressValidation, IngressClassNameIsASubdomain) {
  auto ing = ingress();
  ing.mutable_spec()->set_ingress_class_name("Skiff_Class");
  EXPECT_EQ(causes(ing), Causes{"spec.ingressClassName: Invalid value: \"Skiff_Class\": " + kSubdomainHelp});
}

TEST(IngressValidation, TheClassAnnotationMustMatchTheClassNameOnCreate) {
  auto ing = ingress();
  ing.mutable_spec()->set_ingress_class_name("skiff");
  (*ing.mutable_metadata()->mutable_annotations())["kubernetes.io/ingress.class"] = "nginx";
  EXPECT_EQ(causes(ing), Causes{"annotations.kubernetes.io/ingress.class: Invalid value: \"nginx\": must match "
                                "`ingressClassName` when both are specified"});
  auto old = ing;
  EXPECT_EQ(causes(ing, &old), Causes{}) << "Kubernetes checks this on create only";
  (*ing.mutable_metadata()->mutable_annotations())["kubernetes.io/ingress.class"] = "skiff";
  EXPECT_EQ(causes(ing), Causes{});
  ing.mutable_spec()->clear_ingress_class_name();
  EXPECT_EQ(causes(ing), Causes{}) << "the annotation alone is fine";
}

TEST(IngressValidation, LoadBalancerStatusHasIpsAndHostNames) {
  auto ing = ingress();
  auto* lb = ing.mutable_status()->mutable_load_balancer();
  lb->add_ingress()->set_ip("not-an-ip");
  lb->add_ingress()->set_hostname("192.0.2.7");
  lb->add_ingress()->set_hostname("LB.example.com");
  lb->add_ingress()->set_hostname("lb.example.com");
  EXPECT_EQ(causes(ing),
            (Causes{"status.loadBalancer.ingress[0].ip: Invalid value: \"not-an-ip\": must be a valid IP address, (e.g. "
                    "10.9.8.7 or 2001:db8::ffff)",
                    "status.loadBalancer.ingress[1].hostname: Invalid value: \"192.0.2.7\": must be a DNS name, not an IP "
                    "address",
                    "status.loadBalancer.ingress[2].hostname: Invalid value: \"LB.example.com\": " + kSubdomainHelp}));
  auto old = ingress();
  old.mutable_status()->mutable_load_balancer()->add_ingress()->set_ip("not-an-ip");
  lb->mutable_ingress()->DeleteSubrange(1, 2);
  EXPECT_EQ(causes(ing, &old), Causes{}) << "an IP the stored object already had stays allowed";
}

// ---- IngressClass ----

net::IngressClass ingress_class(const std::string& controller) {
  net::IngressClass ic;
  name(ic, "skiff", "");
  ic.mutable_spec()->set_controller(controller);
  return ic;
}

Causes controller_causes(const std::string& controller) { return causes(ingress_class(controller)); }

TEST(IngressClassValidation, TheControllerIsARequiredDomainPrefixedPath) {
  EXPECT_EQ(controller_causes("skiff.io/ingress"), Causes{});
  EXPECT_EQ(controller_causes("k8s.io/ingress-nginx"), Causes{});
  EXPECT_EQ(controller_causes(""), Causes{"spec.controller: Required value"});
  for (const char* bad : {"ingress", "/ingress", "skiff.io/"})
    EXPECT_EQ(controller_causes(bad), Causes{"spec.controller: Invalid value: \"" + std::string(bad) +
                                             "\": must be a domain-prefixed path (such as \"acme.io/foo\")"})
        << bad;
  EXPECT_EQ(controller_causes("Skiff.io/ingress"), Causes{"spec.controller: Invalid value: \"Skiff.io\": " + kSubdomainHelp})
      << "the domain is reported alone";
  EXPECT_EQ(controller_causes("skiff.io/in gress"),
            Causes{"spec.controller: Invalid value: \"in gress\": Invalid path (regex used for validation is "
                   "'[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"});
  EXPECT_EQ(controller_causes("skiff.io/a/b~c:d"), Causes{}) << "the path may have more slashes and RFC 3986 characters";
}

TEST(IngressClassValidation, TheControllerHasAtMost250Characters) {
  EXPECT_EQ(controller_causes("skiff.io/" + std::string(241, 'a')), Causes{}) << "250 exactly";
  EXPECT_EQ(controller_causes("skiff.io/" + std::string(242, 'a')), Causes{"spec.controller: Too long: must have at most 250 bytes"});
}

TEST(IngressClassValidation, TheControllerIsImmutable) {
  auto old = ingress_class("skiff.io/ingress");
  auto next = ingress_class("example.com/other");
  EXPECT_EQ(causes(next, &old), Causes{"spec.controller: Invalid value: \"example.com/other\": field is immutable"});
  next = old;
  (*next.mutable_metadata()->mutable_annotations())["ingressclass.kubernetes.io/is-default-class"] = "true";
  EXPECT_EQ(causes(next, &old), Causes{}) << "annotations may change";
}

TEST(IngressClassValidation, ItsNameIsASubdomainAndItHasNoNamespace) {
  auto ic = ingress_class("skiff.io/ingress");
  name(ic, "Skiff", "");
  EXPECT_EQ(causes(ic), Causes{"metadata.name: Invalid value: \"Skiff\": " + kSubdomainHelp});
  EXPECT_FALSE(type_of<net::IngressClass>().namespaced);
}

TEST(IngressClassValidation, ParametersNeedKindNameAndAKnownScope) {
  auto ic = ingress_class("skiff.io/ingress");
  auto* p = ic.mutable_spec()->mutable_parameters();
  EXPECT_EQ(causes(ic), (Causes{"spec.parameters.kind: Required value", "spec.parameters.name: Required value",
                                "spec.parameters.scope: Required value"}));
  p->set_api_group("Bad_Group");
  p->set_kind("Ingress/Params");
  p->set_name(".");
  p->set_scope("Galaxy");
  EXPECT_EQ(causes(ic), (Causes{"spec.parameters.apiGroup: Invalid value: \"Bad_Group\": " + kSubdomainHelp,
                                "spec.parameters.kind: Invalid value: \"Ingress/Params\": may not contain '/'",
                                "spec.parameters.name: Invalid value: \".\": may not be '.'",
                                "spec.parameters.scope: Unsupported value: \"Galaxy\": supported values: \"Cluster\", "
                                "\"Namespace\""}));
  p->set_api_group("k8s.example.com");
  p->set_kind("IngressParameters");
  p->set_name("external");
  p->set_scope("Cluster");
  EXPECT_EQ(causes(ic), Causes{});
}

TEST(IngressClassValidation, ANamespaceGoesWithNamespaceScopeOnly) {
  auto ic = ingress_class("skiff.io/ingress");
  auto* p = ic.mutable_spec()->mutable_parameters();
  p->set_kind("IngressParameters");
  p->set_name("external");
  p->set_scope("Namespace");
  EXPECT_EQ(causes(ic), Causes{"spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"});
  p->set_namespace_("Team_A");
  EXPECT_EQ(causes(ic), Causes{"spec.parameters.namespace: Invalid value: \"Team_A\": " + kLabelHelp});
  p->set_namespace_("team-a");
  EXPECT_EQ(causes(ic), Causes{});
  p->set_scope("Cluster");
  EXPECT_EQ(causes(ic), Causes{"spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"});
}

}  // namespace
