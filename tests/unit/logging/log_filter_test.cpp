// Which lines a LogQuery selects, and the clear refusals of bad selectors, regexes and ranges.
#include <gtest/gtest.h>

#include "log_filter.hpp"
#include "skiff/sdk/status.hpp"

namespace {

using namespace skiff;
namespace v1 = logging::v1;

v1::LogLine line(const std::string& ns, const std::string& pod, const std::string& container, const std::string& text,
                 std::int64_t time = 100, std::map<std::string, std::string> labels = {}, const std::string& node = "n1") {
  v1::LogLine l;
  l.set_namespace_(ns);
  l.set_pod(pod);
  l.set_pod_uid("uid-" + pod);
  l.set_container(container);
  l.set_node(node);
  l.set_line(text);
  l.set_time_unix_nano(time);
  for (const auto& [k, v] : labels) (*l.mutable_pod_labels())[k] = v;
  return l;
}

std::string refusal(const v1::LogQuery& q) {
  try {
    logging::LogFilter::compile(q);
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 400);
    return e.status().message;
  }
  return "";
}

TEST(LogFilter, AnEmptyQuerySelectsEveryLine) {
  auto f = logging::LogFilter::compile({});
  EXPECT_TRUE(f.matches(line("a", "p", "c", "x")));
  EXPECT_TRUE(f.matches(line("b", "q", "d", "")));
}

TEST(LogFilter, EachFieldNarrows) {
  auto base = line("shop", "web-1", "nginx", "GET /index.html 200", 500, {{"app", "web"}}, "node-b");
  auto matches = [&](auto set) {
    v1::LogQuery q;
    set(q);
    return logging::LogFilter::compile(q).matches(base);
  };
  EXPECT_TRUE(matches([](auto& q) { q.set_namespace_("shop"); }));
  EXPECT_FALSE(matches([](auto& q) { q.set_namespace_("other"); }));
  EXPECT_TRUE(matches([](auto& q) { q.set_pod("web-1"); }));
  EXPECT_FALSE(matches([](auto& q) { q.set_pod("web-2"); }));
  EXPECT_TRUE(matches([](auto& q) { q.set_pod_uid("uid-web-1"); }));
  EXPECT_FALSE(matches([](auto& q) { q.set_pod_uid("uid-web-2"); }));
  EXPECT_TRUE(matches([](auto& q) { q.set_container("nginx"); }));
  EXPECT_FALSE(matches([](auto& q) { q.set_container("sidecar"); }));
  EXPECT_TRUE(matches([](auto& q) { q.set_node("node-b"); }));
  EXPECT_FALSE(matches([](auto& q) { q.set_node("node-a"); }));
  EXPECT_TRUE(matches([](auto& q) { q.set_since_unix_nano(500); }));
  EXPECT_FALSE(matches([](auto& q) { q.set_since_unix_nano(501); }));
  EXPECT_TRUE(matches([](auto& q) { q.set_until_unix_nano(501); }));
  EXPECT_FALSE(matches([](auto& q) { q.set_until_unix_nano(500); })) << "until is exclusive";
  EXPECT_TRUE(matches([](auto& q) { q.set_contains("index.html"); }));
  EXPECT_FALSE(matches([](auto& q) { q.set_contains("INDEX"); }));
  EXPECT_TRUE(matches([](auto& q) { q.set_regex("GET /[a-z]+\\.html [0-9]{3}$"); }));
  EXPECT_FALSE(matches([](auto& q) { q.set_regex("^POST"); }));
}

TEST(LogFilter, LabelSelectorsUseKubernetesSyntax) {
  auto web = line("d", "web", "c", "x", 1, {{"app", "web"}, {"tier", "front"}});
  auto db = line("d", "db", "c", "x", 1, {{"app", "db"}});
  auto selects = [](const std::string& selector, const v1::LogLine& l) {
    v1::LogQuery q;
    q.set_label_selector(selector);
    return logging::LogFilter::compile(q).matches(l);
  };
  EXPECT_TRUE(selects("app=web", web));
  EXPECT_FALSE(selects("app=web", db));
  EXPECT_TRUE(selects("app in (web,db)", db));
  EXPECT_TRUE(selects("app!=web", db));
  EXPECT_TRUE(selects("tier", web));
  EXPECT_FALSE(selects("tier", db));
  EXPECT_TRUE(selects("!tier", db));
}

TEST(LogFilter, TextFiltersWorkOnBinaryLines) {
  std::string garbage("\x00\xff\xfe" "ERROR\x01", 9);
  v1::LogQuery q;
  q.set_regex("ERR(OR)?");
  EXPECT_TRUE(logging::LogFilter::compile(q).matches(line("d", "p", "c", garbage)));
  v1::LogQuery contains;
  contains.set_contains(std::string("\xff\xfe", 2));
  EXPECT_TRUE(logging::LogFilter::compile(contains).matches(line("d", "p", "c", garbage)));
}

TEST(LogFilter, BadInputIsRefusedNamingTheFieldAndTheFix) {
  v1::LogQuery regex;
  regex.set_regex("([a-z");
  EXPECT_NE(refusal(regex).find("regex \"([a-z\" is not a valid ECMAScript regular expression"), std::string::npos)
      << refusal(regex);
  v1::LogQuery selector;
  selector.set_label_selector("app in web");
  EXPECT_NE(refusal(selector).find("label_selector \"app in web\""), std::string::npos) << refusal(selector);
  v1::LogQuery range;
  range.set_since_unix_nano(10);
  range.set_until_unix_nano(10);
  EXPECT_NE(refusal(range).find("since must be before until"), std::string::npos);
  v1::LogQuery negative;
  negative.set_since_unix_nano(-1);
  EXPECT_FALSE(refusal(negative).empty());
}

TEST(LogFilter, TheSubjectFilterNarrowsByNamespacePodNameUidAndContainer) {
  sdk::Subjects subjects("prod", "n");
  EXPECT_EQ(logging::LogFilter::compile({}).subject_filter(subjects), "skiff.prod.logs.*.*.*.*");
  v1::LogQuery q;
  q.set_namespace_("shop");
  q.set_container("side.car");
  EXPECT_EQ(logging::LogFilter::compile(q).subject_filter(subjects), "skiff.prod.logs.shop.*.*.side%2Ecar");
  q.set_pod("web.1");
  EXPECT_EQ(logging::LogFilter::compile(q).subject_filter(subjects), "skiff.prod.logs.shop.web%2E1.*.side%2Ecar");
  q.set_pod_uid("1234");
  EXPECT_EQ(logging::LogFilter::compile(q).subject_filter(subjects),
            "skiff.prod.logs.shop.web%2E1.1234.side%2Ecar");
}

}  // namespace
