// Route matching as the Kubernetes Ingress spec says: path types, host precedence, longest
// path, Exact over Prefix, merging several Ingresses, default backends and TLS hosts.
#include <gtest/gtest.h>

#include "host_match.hpp"
#include "path_match.hpp"
#include "route_table.hpp"

namespace skiff::ingress {
namespace {

Backend backend(const std::string& service) { return {{"default", "web", service, "80"}, {{"10.0.0.1", 80}}}; }

IngressValues ingress(const std::string& name, std::vector<IngressRule> rules) {
  IngressValues values;
  values.namespace_name = "default";
  values.name = name;
  values.rules = std::move(rules);
  return values;
}

// The Service a request reaches, or "" for none.
std::string routed(const RouteTable& table, const std::string& host, const std::string& target) {
  RouteMatch match = table.match(normalize_host(host), request_path(target));
  return match.route ? match.route->backend.identity.service : "";
}

struct PathCase {
  PathType type;
  std::string pattern;
  std::string path;
  bool matches;
};

TEST(IngressPathMatch, FollowsTheSpecExamples) {
  // The table of examples in the Kubernetes Ingress documentation, plus elements.
  std::vector<PathCase> cases = {
      {PathType::Prefix, "/", "/anything", true},     {PathType::Exact, "/foo", "/foo", true},
      {PathType::Exact, "/foo", "/bar", false},       {PathType::Exact, "/foo", "/foo/", false},
      {PathType::Exact, "/foo/", "/foo", false},      {PathType::Prefix, "/foo", "/foo", true},
      {PathType::Prefix, "/foo", "/foo/", true},      {PathType::Prefix, "/foo/", "/foo", true},
      {PathType::Prefix, "/foo/", "/foo/", true},     {PathType::Prefix, "/aaa/bb", "/aaa/bbb", false},
      {PathType::Prefix, "/aaa/bbb", "/aaa/bbb", true}, {PathType::Prefix, "/aaa/bbb/", "/aaa/bbb", true},
      {PathType::Prefix, "/aaa/bbb", "/aaa/bbb/", true}, {PathType::Prefix, "/aaa/bbb", "/aaa/bbb/ccc", true},
      {PathType::Prefix, "/aaa/bbb", "/aaa/bbbxyz", false}, {PathType::Prefix, "/foo", "/foobar", false},
      {PathType::ImplementationSpecific, "/foo", "/foo/bar", true},
      {PathType::ImplementationSpecific, "/foo", "/foobar", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(path_matches(c.type, c.pattern, c.path), c.matches) << c.pattern << " against " << c.path;
  }
}

TEST(IngressPathMatch, RequestPathDropsTheQuery) {
  EXPECT_EQ(request_path("/foo?x=/bar"), "/foo");
  EXPECT_EQ(request_path("/foo#frag"), "/foo");
  EXPECT_EQ(request_path("/foo"), "/foo");
}

TEST(IngressHostMatch, NormalisesHostHeaders) {
  EXPECT_EQ(normalize_host("Foo.Example.COM:8080"), "foo.example.com");
  EXPECT_EQ(normalize_host("foo.example.com."), "foo.example.com");
  EXPECT_EQ(normalize_host("[::1]:80"), "::1");
  EXPECT_EQ(normalize_host("::1"), "::1");
  EXPECT_EQ(normalize_host(""), "");
}

TEST(IngressHostMatch, WildcardsCoverOneLabel) {
  EXPECT_EQ(wildcard_suffix("*.example.com"), "example.com");
  EXPECT_EQ(wildcard_suffix("foo.example.com"), std::nullopt);
  EXPECT_EQ(covering_wildcard_suffix("a.example.com"), "example.com");
  EXPECT_EQ(covering_wildcard_suffix("a.b.example.com"), "b.example.com");
  EXPECT_EQ(covering_wildcard_suffix("localhost"), std::nullopt);
}

TEST(IngressRoutes, ExactHostBeatsWildcardBeatsAnyHost) {
  RouteTable table({ingress("a", {{"*.example.com", {{"/", PathType::Prefix, backend("wild")}}},
                                  {"foo.example.com", {{"/", PathType::Prefix, backend("exact")}}},
                                  {"", {{"/", PathType::Prefix, backend("any")}}}})});
  EXPECT_EQ(routed(table, "foo.example.com", "/"), "exact");
  EXPECT_EQ(routed(table, "FOO.example.com:80", "/x"), "exact");
  EXPECT_EQ(routed(table, "bar.example.com", "/"), "wild");
  EXPECT_EQ(routed(table, "a.bar.example.com", "/"), "any");  // a wildcard covers one label only
  EXPECT_EQ(routed(table, "example.com", "/"), "any");
  EXPECT_EQ(routed(table, "other.org", "/"), "any");
}

TEST(IngressRoutes, LongestPathWinsAndExactBeatsPrefixOfEqualLength) {
  RouteTable table({ingress("a", {{"h", {{"/", PathType::Prefix, backend("root")},
                                         {"/api", PathType::Prefix, backend("api")},
                                         {"/api/v1", PathType::ImplementationSpecific, backend("v1")},
                                         {"/api/v1/", PathType::Prefix, backend("v1-slash")},
                                         {"/api/v1", PathType::Exact, backend("v1-exact")}}}})});
  EXPECT_EQ(routed(table, "h", "/"), "root");
  EXPECT_EQ(routed(table, "h", "/apis"), "root");
  EXPECT_EQ(routed(table, "h", "/api/v2"), "api");
  EXPECT_EQ(routed(table, "h", "/api/v1"), "v1-exact");
  EXPECT_EQ(routed(table, "h", "/api/v1?watch=1"), "v1-exact");
  EXPECT_EQ(routed(table, "h", "/api/v1/pods"), "v1");  // first of two equal Prefix paths
}

TEST(IngressRoutes, MergesSeveralIngressesForOneHostAndTheEarlierWins) {
  RouteTable table({ingress("old", {{"h", {{"/a", PathType::Prefix, backend("old-a")}}}}),
                    ingress("new", {{"h", {{"/a", PathType::Prefix, backend("new-a")},
                                           {"/a/b", PathType::Prefix, backend("new-ab")}}}})});
  EXPECT_EQ(routed(table, "h", "/a"), "old-a");
  EXPECT_EQ(routed(table, "h", "/a/b/c"), "new-ab");
}

TEST(IngressRoutes, NoMatchGivesTheDefaultBackendOrNothing) {
  RouteTable bare({ingress("a", {{"h", {{"/a", PathType::Exact, backend("a")}}}})});
  EXPECT_EQ(bare.match("h", "/b").route, nullptr);
  EXPECT_EQ(bare.match("other", "/a").route, nullptr);

  IngressValues with_default = ingress("b", {{"h", {{"/a", PathType::Exact, backend("a")}}}});
  with_default.default_backend = backend("fallback");
  IngressValues other_default = ingress("c", {});
  other_default.default_backend = backend("second");
  RouteTable table({with_default, other_default});
  RouteMatch miss = table.match("h", "/b");
  ASSERT_NE(miss.route, nullptr);
  EXPECT_TRUE(miss.default_backend);
  EXPECT_EQ(miss.route->backend.identity.service, "fallback");
  EXPECT_EQ(routed(table, "nowhere", "/"), "fallback");
  EXPECT_FALSE(table.match("h", "/a").default_backend);
}

TEST(IngressRoutes, AHostFallsBackToTheDefaultOfItsOwnIngress) {
  IngressValues first = ingress("first", {});
  first.default_backend = backend("global");
  IngressValues second = ingress("second", {{"h", {{"/a", PathType::Exact, backend("a")}}}});
  second.default_backend = backend("second-default");
  RouteTable table({first, second});
  EXPECT_EQ(routed(table, "h", "/zzz"), "second-default");
  EXPECT_EQ(routed(table, "elsewhere", "/zzz"), "global");
}

TEST(IngressRoutes, CarriesTheIngressOptionsAndIndexesRoutes) {
  IngressValues slow = ingress("slow", {{"h", {{"/", PathType::Prefix, backend("s")}}}});
  slow.options.read_timeout = std::chrono::milliseconds(1234);
  slow.options.ssl_redirect = false;
  RouteTable table({slow, ingress("b", {{"g", {{"/", PathType::Prefix, backend("g")}}}})});
  RouteMatch match = table.match("h", "/");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->options.read_timeout, std::chrono::milliseconds(1234));
  EXPECT_FALSE(match.route->options.ssl_redirect);
  ASSERT_EQ(table.route_count(), 2u);
  EXPECT_EQ(table.routes()[0].index, 0u);
  EXPECT_EQ(table.routes()[1].index, 1u);
  EXPECT_EQ(table.match("g", "/").route->index, 1u);
}

TEST(IngressRoutes, LeavesOutBadPathsAndHostsAndSaysWhy) {
  RouteTable table({ingress("bad", {{"h", {{"nope", PathType::Prefix, backend("x")}, {"/ok", PathType::Prefix, backend("ok")}}},
                                    {"a.*.example.com", {{"/", PathType::Prefix, backend("y")}}}})});
  EXPECT_EQ(routed(table, "h", "/ok"), "ok");
  ASSERT_EQ(table.problems().size(), 2u);
  EXPECT_NE(table.problems()[0].find("default/bad: path \"nope\""), std::string::npos) << table.problems()[0];
  EXPECT_NE(table.problems()[1].find("wildcard"), std::string::npos) << table.problems()[1];
}

TEST(IngressRoutes, TlsHostsExactAndWildcard) {
  IngressValues values = ingress("tls", {{"a.example.com", {{"/", PathType::Prefix, backend("a")}}},
                                         {"plain.org", {{"/", PathType::Prefix, backend("p")}}}});
  values.tls.push_back({{"a.example.com"}, {"CERT-A", "KEY-A"}});
  values.tls.push_back({{"*.example.com"}, {"CERT-W", "KEY-W"}});
  RouteTable table({values});
  ASSERT_NE(table.certificate_for("a.example.com"), nullptr);
  EXPECT_EQ(table.certificate_for("a.example.com")->certificate_pem, "CERT-A");
  EXPECT_EQ(table.certificate_for("b.example.com")->certificate_pem, "CERT-W");
  EXPECT_EQ(table.certificate_for("x.b.example.com"), nullptr);
  EXPECT_TRUE(table.match("a.example.com", "/").host_has_tls);
  EXPECT_FALSE(table.match("plain.org", "/").host_has_tls);
}

TEST(IngressEndpoint, NamesIpv6WithBrackets) {
  EXPECT_EQ(to_string(Endpoint{"10.0.0.1", 80}), "10.0.0.1:80");
  EXPECT_EQ(to_string(Endpoint{"fd00::1", 8080}), "[fd00::1]:8080");
}

}  // namespace
}  // namespace skiff::ingress
