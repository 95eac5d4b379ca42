#include "watch_events.hpp"

#include <gtest/gtest.h>

#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::store_etcd {
namespace {

const KeyLayout layout("/t");

etcdserverpb::KeyValue kv(const std::string& key, std::int64_t mod, std::int64_t version, const std::string& value) {
  etcdserverpb::KeyValue out;
  out.set_key(key);
  out.set_mod_revision(mod);
  out.set_version(version);
  out.set_value(value);
  return out;
}

std::string pod(const std::string& node) {
  api::core::v1::Pod p;
  p.mutable_metadata()->set_name("web");
  p.mutable_metadata()->set_namespace_("default");
  p.mutable_spec()->set_node_name(node);
  return p.SerializeAsString();
}

api::core::v1::Pod parse(const std::string& bytes) {
  api::core::v1::Pod p;
  EXPECT_TRUE(p.ParseFromString(bytes));
  return p;
}

TEST(WatchEvents, PutsAreAddedOrModifiedAndCarryTheirRevision) {
  etcdserverpb::Event put;
  *put.mutable_kv() = kv("/t/o/pods/default/web", 5, 1, pod("a"));
  auto added = change_of(layout, put);
  ASSERT_TRUE(added);
  EXPECT_EQ(added->resource, "pods");
  EXPECT_EQ(added->event.type(), "ADDED");
  EXPECT_EQ(added->event.revision(), 5);
  EXPECT_EQ(parse(added->event.object()).metadata().resource_version(), "5");
  *put.mutable_kv() = kv("/t/o/pods/default/web", 6, 2, pod("b"));
  EXPECT_EQ(change_of(layout, put)->event.type(), "MODIFIED");
}

TEST(WatchEvents, ADeleteCarriesTheLastStateAtTheDeletionsRevision) {
  etcdserverpb::Event del;
  del.set_type(etcdserverpb::Event::DELETE);
  *del.mutable_kv() = kv("/t/o/pods/default/web", 9, 0, "");
  *del.mutable_prev_kv() = kv("/t/o/pods/default/web", 6, 2, pod("b"));
  auto deleted = change_of(layout, del);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->event.type(), "DELETED");
  auto object = parse(deleted->event.object());
  EXPECT_EQ(object.spec().node_name(), "b");
  EXPECT_EQ(object.metadata().resource_version(), "9");

  del.clear_prev_kv();  // compacted away: the name and namespace still reach the watcher
  object = parse(change_of(layout, del)->event.object());
  EXPECT_EQ(object.metadata().name(), "web");
  EXPECT_EQ(object.metadata().namespace_(), "default");
  EXPECT_EQ(object.metadata().resource_version(), "9");
}

TEST(WatchEvents, KeysThatAreNotObjectsAreSkipped) {
  etcdserverpb::WatchResponse response;
  *response.add_events()->mutable_kv() = kv("/t/publisher", 3, 1, "node");
  *response.add_events()->mutable_kv() = kv("/t/o/pods/default/web", 4, 1, pod("a"));
  EXPECT_EQ(changes_of(layout, response).size(), 1u);
}

}  // namespace
}  // namespace skiff::store_etcd
