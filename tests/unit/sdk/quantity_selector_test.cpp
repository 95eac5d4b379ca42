// Quantities and selectors as Kubernetes reads them.
#include <gtest/gtest.h>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/sdk/quantity.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/status.hpp"

namespace {

using namespace skiff::sdk;

TEST(Quantity, ParsesCpuAndMemory) {
  EXPECT_EQ(parse_quantity_milli("100m"), 100);
  EXPECT_EQ(parse_quantity_milli("0.5"), 500);
  EXPECT_EQ(parse_quantity_milli("2"), 2000);
  EXPECT_EQ(parse_quantity_milli("1.5"), 1500);
  EXPECT_EQ(parse_quantity("128Mi"), 134217728);
  EXPECT_EQ(parse_quantity("1G"), 1000000000);
  EXPECT_EQ(parse_quantity("1Ki"), 1024);
  EXPECT_EQ(parse_quantity("1e3"), 1000);
  EXPECT_EQ(parse_quantity("110"), 110);
  EXPECT_EQ(parse_quantity("0.1"), 1);  // rounded up
  EXPECT_FALSE(parse_quantity("12 Mi"));
  EXPECT_FALSE(parse_quantity("Mi"));
  EXPECT_FALSE(parse_quantity("1Xi"));
  EXPECT_FALSE(parse_quantity(""));
}

TEST(Quantity, Formats) {
  EXPECT_EQ(format_cpu_milli(250), "250m");
  EXPECT_EQ(format_cpu_milli(2000), "2");
  EXPECT_EQ(format_bytes(134217728), "128Mi");
  EXPECT_EQ(format_bytes(1000), "1000");
}

TEST(LabelSelector, ParsesEveryForm) {
  std::map<std::string, std::string> labels = {{"app", "web"}, {"env", "prod"}, {"gpu", ""}, {"rank", "5"}};
  EXPECT_TRUE(LabelSelector::parse("").matches(labels));
  EXPECT_TRUE(LabelSelector::parse("app=web").matches(labels));
  EXPECT_TRUE(LabelSelector::parse("app==web,env!=dev").matches(labels));
  EXPECT_TRUE(LabelSelector::parse("env in (prod, staging)").matches(labels));
  EXPECT_FALSE(LabelSelector::parse("env notin (prod,staging)").matches(labels));
  EXPECT_TRUE(LabelSelector::parse("gpu,!canary").matches(labels));
  EXPECT_FALSE(LabelSelector::parse("!gpu").matches(labels));
  EXPECT_TRUE(LabelSelector::parse("rank>3,rank<9").matches(labels));
  EXPECT_FALSE(LabelSelector::parse("rank>5").matches(labels));
  EXPECT_TRUE(LabelSelector::parse("missing!=x").matches(labels));
  EXPECT_EQ(LabelSelector::parse("a=b, c in (x,y),!d").to_string(), "a=b,c in (x,y),!d");
}

TEST(LabelSelector, RejectsGarbage) {
  EXPECT_THROW(LabelSelector::parse("a in x"), Error);
  EXPECT_THROW(LabelSelector::parse("a=b c"), Error);
  EXPECT_THROW(LabelSelector::parse("rank>high"), Error);
}

TEST(LabelSelector, FromTheApiObject) {
  skiff::api::meta::v1::LabelSelector proto;
  (*proto.mutable_match_labels())["app"] = "web";
  auto* e = proto.add_match_expressions();
  e->set_key("tier");
  e->set_operator_("NotIn");
  e->add_values("db");
  LabelSelector selector = LabelSelector::from_proto(proto);
  EXPECT_TRUE(selector.matches(std::map<std::string, std::string>{{"app", "web"}, {"tier", "front"}}));
  EXPECT_FALSE(selector.matches(std::map<std::string, std::string>{{"app", "web"}, {"tier", "db"}}));
  e->set_operator_("Like");
  EXPECT_THROW(LabelSelector::from_proto(proto), Error);
}

TEST(FieldSelector, MatchesByJsonPath) {
  skiff::api::core::v1::Pod pod;
  pod.mutable_metadata()->set_name("web-1");
  pod.mutable_spec()->set_node_name("node-a");
  pod.mutable_status()->set_phase("Running");
  auto type = skiff::api::core::v1::Pod::descriptor();
  EXPECT_TRUE(FieldSelector::parse("spec.nodeName=node-a", type).matches(pod));
  EXPECT_TRUE(FieldSelector::parse("metadata.name==web-1,status.phase!=Failed", type).matches(pod));
  EXPECT_FALSE(FieldSelector::parse("spec.nodeName=node-b", type).matches(pod));
  EXPECT_TRUE(FieldSelector::parse("spec.nodeName=", type).matches(skiff::api::core::v1::Pod()));
  EXPECT_EQ(*FieldSelector::parse("spec.nodeName=node-a", type).equality_value("spec.nodeName"), "node-a");
  try {
    FieldSelector::parse("spec.nodeNme=x", type);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "field label not supported: spec.nodeNme");
  }
}

}  // namespace
