// A group commit's log record: its effects round-trip, and its watch events are rebuilt.
#include "wal_record.hpp"

#include <gtest/gtest.h>

namespace {

using namespace skiff::store;

TEST(WalRecord, ABatchRoundTrips) {
  WalBatchEncoder encoder;
  encoder.add(WalMutation::Kind::Added, 41, "pods", "pods/default/a", "HEADERobject-a", 6);
  encoder.add(WalMutation::Kind::Modified, 42, "deployments.apps", "deployments.apps/default/d", "HEADERobject-d", 6);
  encoder.add(WalMutation::Kind::Deleted, 42, "pods", "pods/default/b", "last-state-b", 0);
  auto batch = decode_batch(encoder.finish(42));
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->revision, 42);
  ASSERT_EQ(batch->mutations.size(), 3u);
  EXPECT_EQ(batch->mutations[1].key, "deployments.apps/default/d");
  EXPECT_EQ(batch->mutations[1].value, "HEADERobject-d");
  EXPECT_EQ(batch->mutations[2].kind, WalMutation::Kind::Deleted);

  auto changes = changes_of(*batch);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].resource, "pods");
  EXPECT_EQ(changes[0].event.type(), "ADDED");
  EXPECT_EQ(changes[0].event.revision(), 41);
  EXPECT_EQ(changes[0].event.object(), "object-a");  // without the stored header
  EXPECT_EQ(changes[1].event.type(), "MODIFIED");
  EXPECT_EQ(changes[2].event.type(), "DELETED");
  EXPECT_EQ(changes[2].event.object(), "last-state-b");
}

TEST(WalRecord, TheEncoderStartsOverAfterFinish) {
  WalBatchEncoder encoder;
  encoder.add(WalMutation::Kind::Added, 1, "pods", "pods/default/a", "HEADERa", 6);
  encoder.finish(1);
  encoder.add(WalMutation::Kind::Added, 2, "pods", "pods/default/b", "HEADERb", 6);
  auto batch = decode_batch(encoder.finish(2));
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->mutations.size(), 1u);
  EXPECT_EQ(batch->mutations[0].key, "pods/default/b");
}

TEST(WalRecord, TruncatedOrPaddedBytesAreNotABatch) {
  std::string bytes = encode_batch({7, {{WalMutation::Kind::Added, 7, "pods", "pods/default/a", "HEADERa", 6}}});
  EXPECT_TRUE(decode_batch(bytes));
  EXPECT_FALSE(decode_batch(bytes.substr(0, bytes.size() - 1)));
  EXPECT_FALSE(decode_batch(bytes + "x"));
  EXPECT_FALSE(decode_batch(""));
}

}  // namespace
