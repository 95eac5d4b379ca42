// The garbage collector's verdict on an object from what became of each of its owners.
#include <gtest/gtest.h>

#include "owner_decision.hpp"

namespace {

using namespace skiff;
using controllers::decide_for_dependent;
using controllers::OwnerDecision;
using controllers::OwnerState;
using Action = OwnerDecision::Action;

api::meta::v1::ObjectMeta owned_by(std::initializer_list<const char*> owner_uids) {
  api::meta::v1::ObjectMeta meta;
  meta.set_name("dependent");
  meta.set_uid("dependent-uid");
  for (const char* uid : owner_uids) {
    auto* ref = meta.add_owner_references();
    ref->set_uid(uid);
    ref->set_name(std::string("owner-") + uid);
    ref->set_kind("ReplicaSet");
    ref->set_api_version("apps/v1");
  }
  return meta;
}

TEST(OwnerDecision, OwnersThatAreThereKeepIt) {
  auto d = decide_for_dependent(owned_by({"a", "b"}), {OwnerState::Present, OwnerState::Present}, false);
  EXPECT_EQ(d.action, Action::Keep);
}

TEST(OwnerDecision, AnObjectWithoutOwnersOrAlreadyGoingIsLeftAlone) {
  EXPECT_EQ(decide_for_dependent(owned_by({}), {}, false).action, Action::Keep);
  auto going = owned_by({"a"});
  going.set_deletion_timestamp("2026-01-01T00:00:00Z");
  EXPECT_EQ(decide_for_dependent(going, {OwnerState::Absent}, false).action, Action::Keep);
}

TEST(OwnerDecision, WithASolidOwnerLeftOnlyTheGoneReferencesGo) {
  auto d = decide_for_dependent(owned_by({"a", "b", "c"}), {OwnerState::Absent, OwnerState::Present, OwnerState::Absent},
                                false);
  EXPECT_EQ(d.action, Action::RemoveReferences);
  EXPECT_EQ(d.remove_uids, (std::vector<std::string>{"a", "c"}));
}

TEST(OwnerDecision, WithASolidOwnerLeftAForegroundOwnerLosesItsReferenceInsteadOfWaitingForEver) {
  auto d = decide_for_dependent(owned_by({"fg", "solid"}), {OwnerState::DeletingInForeground, OwnerState::Present}, true);
  EXPECT_EQ(d.action, Action::RemoveReferences);
  EXPECT_EQ(d.remove_uids, (std::vector<std::string>{"fg"}));
}

TEST(OwnerDecision, AllOwnersGoneDeletesItInTheBackground) {
  auto d = decide_for_dependent(owned_by({"a", "b"}), {OwnerState::Absent, OwnerState::Absent}, true);
  EXPECT_EQ(d.action, Action::Delete);
  EXPECT_EQ(d.propagation, "Background");
}

TEST(OwnerDecision, AllOwnersGoneHonoursTheObjectsOwnFinalizers) {
  auto orphaning = owned_by({"a"});
  orphaning.add_finalizers("orphan");
  EXPECT_EQ(decide_for_dependent(orphaning, {OwnerState::Absent}, true).propagation, "Orphan");
  auto foreground = owned_by({"a"});
  foreground.add_finalizers("foregroundDeletion");
  EXPECT_EQ(decide_for_dependent(foreground, {OwnerState::Absent}, true).propagation, "Foreground");
}

TEST(OwnerDecision, AForegroundOwnerDeletesItInTheForegroundWhenItHasDependentsOfItsOwn) {
  auto with = decide_for_dependent(owned_by({"fg"}), {OwnerState::DeletingInForeground}, true);
  EXPECT_EQ(with.action, Action::Delete);
  EXPECT_EQ(with.propagation, "Foreground");
  auto without = decide_for_dependent(owned_by({"fg", "gone"}), {OwnerState::DeletingInForeground, OwnerState::Absent}, false);
  EXPECT_EQ(without.action, Action::Delete);
  EXPECT_EQ(without.propagation, "Background");
}

TEST(OwnerDecision, AForegroundOwnerWaitsForItsDependentWhetherOrNotTheReferenceBlocks) {
  // Kubernetes classifies by the owner's state alone; blockOwnerDeletion only decides whether
  // the owner waits, not whether the dependent goes.
  auto meta = owned_by({"fg"});
  meta.mutable_owner_references(0)->set_block_owner_deletion(false);
  EXPECT_EQ(decide_for_dependent(meta, {OwnerState::DeletingInForeground}, false).action, Action::Delete);
}

}  // namespace
