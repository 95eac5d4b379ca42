#include "txn_translation.hpp"

#include <gtest/gtest.h>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/status.hpp"

namespace skiff::store_etcd {
namespace {

namespace v1 = store::v1;

const KeyLayout layout("/t");

v1::ObjectKey pod_key(const std::string& name) {
  v1::ObjectKey k;
  k.set_resource("pods");
  k.set_namespace_("default");
  k.set_name(name);
  return k;
}

std::string pod(const std::string& name, const std::string& uid = "") {
  api::core::v1::Pod p;
  p.mutable_metadata()->set_name(name);
  p.mutable_metadata()->set_uid(uid);
  return p.SerializeAsString();
}

v1::TxnRequest create(const std::string& name) {
  v1::TxnRequest txn;
  auto* c = txn.add_operations()->mutable_create();
  *c->mutable_key() = pod_key(name);
  c->set_object(pod(name));
  return txn;
}

// A failed Txn's failure branch as etcd answers it: each compared key read back (absent = missing).
etcd::TxnResponse failed(const std::map<std::string, std::int64_t>& present) {
  etcd::TxnResponse response;
  response.set_succeeded(false);
  for (const auto& [key, mod] : present) {
    auto* kv = response.add_responses()->mutable_response_range()->add_kvs();
    kv->set_key(key);
    kv->set_mod_revision(mod);
  }
  return response;
}

TEST(TxnTranslation, ACreateComparesAbsenceWritesTheObjectWithAUidAndTouchesTheMarker) {
  auto t = translate(layout, create("web"), {});
  ASSERT_EQ(t.txn.compare_size(), 1);
  EXPECT_EQ(t.txn.compare(0).key(), "/t/o/pods/default/web");
  EXPECT_EQ(t.txn.compare(0).target(), etcd::Compare::VERSION);
  EXPECT_EQ(t.txn.compare(0).version(), 0);
  ASSERT_EQ(t.txn.success_size(), 2);
  EXPECT_EQ(t.txn.success(1).request_put().key(), "/t/r/pods") << "the resource's marker, same revision";
  api::core::v1::Pod stored;
  ASSERT_TRUE(stored.ParseFromString(t.txn.success(0).request_put().value()));
  EXPECT_EQ(stored.metadata().uid(), t.uids[0]);
  EXPECT_EQ(t.uids[0].size(), 36u);
  EXPECT_EQ(t.txn.failure(0).request_range().key(), "/t/o/pods/default/web") << "read back to explain a refusal";
}

TEST(TxnTranslation, ConditionsAndUpdatesCompareRevisions) {
  v1::TxnRequest txn;
  auto* must_not_exist = txn.add_conditions();
  *must_not_exist->mutable_key() = pod_key("lock");
  must_not_exist->set_expected_revision(-1);
  auto* u = txn.add_operations()->mutable_update();
  *u->mutable_key() = pod_key("web");
  u->set_object(pod("web", "uid-1"));
  u->set_expected_revision(7);
  EXPECT_TRUE(keys_to_read(layout, txn).empty()) << "revision and uid are known";
  auto t = translate(layout, txn, {});
  ASSERT_EQ(t.txn.compare_size(), 2);
  EXPECT_EQ(t.txn.compare(1).target(), etcd::Compare::MOD);
  EXPECT_EQ(t.txn.compare(1).mod_revision(), 7);
  EXPECT_EQ(t.uids[0], "uid-1");
}

TEST(TxnTranslation, AnUnconditionalUpdateKeepsTheStoredUidAndComparesWhatWasRead) {
  v1::TxnRequest txn;
  auto* u = txn.add_operations()->mutable_update();
  *u->mutable_key() = pod_key("web");
  u->set_object(pod("web"));
  auto keys = keys_to_read(layout, txn);
  ASSERT_EQ(keys.size(), 1u);
  auto t = translate(layout, txn, {{keys[0], StoredObject{12, "uid-stored"}}});
  EXPECT_EQ(t.txn.compare(0).mod_revision(), 12);
  EXPECT_EQ(t.uids[0], "uid-stored");
  try {
    translate(layout, txn, {{keys[0], std::nullopt}});
    FAIL() << "updating a missing object";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 404);
  }
}

TEST(TxnTranslation, ADeleteWithTheWrongUidIsRefusedBeforeEtcdIsAsked) {
  v1::TxnRequest txn;
  auto* d = txn.add_operations()->mutable_delete_();
  *d->mutable_key() = pod_key("web");
  d->set_expected_uid("uid-old");
  auto keys = keys_to_read(layout, txn);
  ASSERT_EQ(keys.size(), 1u);
  try {
    translate(layout, txn, {{keys[0], StoredObject{3, "uid-new"}}});
    FAIL();
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 409);
    EXPECT_NE(e.status().message.find("UID in precondition: uid-old"), std::string::npos);
  }
}

TEST(TxnTranslation, TwoChangesToOneKeyAreRefused) {
  auto txn = create("web");
  *txn.add_operations() = txn.operations(0);
  try {
    translate(layout, txn, {});
    FAIL();
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 400);
  }
}

TEST(TxnTranslation, AFailureIsExplainedInKubernetesWords) {
  auto exists = diagnose_failure(layout, create("web"), failed({{"/t/o/pods/default/web", 4}}));
  ASSERT_TRUE(exists);
  EXPECT_EQ(exists->reason, "AlreadyExists");

  v1::TxnRequest update;
  auto* u = update.add_operations()->mutable_update();
  *u->mutable_key() = pod_key("web");
  u->set_expected_revision(3);
  auto moved = diagnose_failure(layout, update, failed({{"/t/o/pods/default/web", 4}}));
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->code, 409);
  EXPECT_NE(moved->message.find("the object has been modified"), std::string::npos);
  auto gone = diagnose_failure(layout, update, failed({}));
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->code, 404);

  u->set_expected_revision(0);  // the revision came from a read: it moved, so read again
  EXPECT_FALSE(diagnose_failure(layout, update, failed({{"/t/o/pods/default/web", 9}})));
}

TEST(TxnTranslation, SuccessStampsTheEtcdRevisionAsResourceVersion) {
  auto txn = create("web");
  auto t = translate(layout, txn, {});
  etcd::TxnResponse response;
  response.set_succeeded(true);
  response.mutable_header()->set_revision(42);
  response.add_responses()->mutable_response_put();
  response.add_responses()->mutable_response_put();
  auto out = success_response(txn, t, response);
  EXPECT_EQ(out.revision(), 42);
  api::core::v1::Pod stored;
  ASSERT_TRUE(stored.ParseFromString(out.results(0).object()));
  EXPECT_EQ(stored.metadata().resource_version(), "42");
  EXPECT_EQ(stored.metadata().uid(), t.uids[0]);
}

}  // namespace
}  // namespace skiff::store_etcd
