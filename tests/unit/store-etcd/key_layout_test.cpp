#include "key_layout.hpp"

#include <gtest/gtest.h>

#include "skiff/sdk/status.hpp"

namespace skiff::store_etcd {
namespace {

store::v1::ObjectKey key(const std::string& resource, const std::string& ns, const std::string& name) {
  store::v1::ObjectKey k;
  k.set_resource(resource);
  k.set_namespace_(ns);
  k.set_name(name);
  return k;
}

int status_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const sdk::Error& e) {
    return e.status().code;
  }
  return 200;
}

TEST(KeyLayout, ObjectsLiveUnderTheClustersPrefixAndParseBack) {
  KeyLayout layout("/skiff/prod/");
  EXPECT_EQ(layout.object(key("pods", "default", "web")), "/skiff/prod/o/pods/default/web");
  EXPECT_EQ(layout.object(key("nodes", "", "n1")), "/skiff/prod/o/nodes//n1");
  EXPECT_EQ(layout.objects_of("pods"), "/skiff/prod/o/pods/");
  EXPECT_EQ(layout.objects_of("pods", "kube-system"), "/skiff/prod/o/pods/kube-system/");
  auto parsed = layout.parse_object("/skiff/prod/o/deployments.apps/default/api");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->resource(), "deployments.apps");
  EXPECT_EQ(parsed->namespace_(), "default");
  EXPECT_EQ(parsed->name(), "api");
  EXPECT_EQ(layout.parse_object("/skiff/prod/o/nodes//n1")->namespace_(), "");
  EXPECT_FALSE(layout.parse_object("/skiff/prod/r/pods"));
  EXPECT_FALSE(layout.parse_object("/skiff/other/o/pods/default/web"));
  EXPECT_EQ(layout.parse_marker("/skiff/prod/r/pods").value_or(""), "pods");
}

TEST(KeyLayout, KeysAreCheckedAgainstTheResourcesScope) {
  KeyLayout layout("/skiff/prod");
  EXPECT_EQ(status_of([&] { layout.object(key("pods", "", "web")); }), 400) << "pods are namespaced";
  EXPECT_EQ(status_of([&] { layout.object(key("nodes", "default", "n1")); }), 400) << "nodes are cluster-scoped";
  EXPECT_EQ(status_of([&] { layout.object(key("widgets", "", "w")); }), 400) << "unknown resource";
  EXPECT_EQ(status_of([&] { layout.object(key("pods", "default", "a/b")); }), 400);
  EXPECT_EQ(status_of([&] { layout.object(key("pods", "default", "")); }), 400);
}

TEST(KeyLayout, PrefixEndCoversEveryKeyWithThePrefix) {
  EXPECT_EQ(prefix_end("/skiff/o/"), "/skiff/o0");
  EXPECT_EQ(prefix_end(std::string("a\xff", 2)), "b");
  EXPECT_EQ(prefix_end(std::string("\xff\xff", 2)), std::string(1, '\0'));
}

}  // namespace
}  // namespace skiff::store_etcd
