// Label interning and the per-node label set the filters compare.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "skiff/sdk/scheduling/interned_labels.hpp"

namespace {

using namespace skiff::sdk::scheduling;

TEST(InternedLabels, TheSameTextGetsTheSameIdAndFindNeverAdds) {
  LabelInterner interner;
  LabelId zone = interner.intern("topology.kubernetes.io/zone");
  EXPECT_NE(zone, kNoLabel);
  EXPECT_EQ(interner.intern(std::string("topology.kubernetes.io/") + "zone"), zone);
  EXPECT_NE(interner.intern("zone-1"), zone);
  EXPECT_EQ(interner.find("topology.kubernetes.io/zone"), zone);
  EXPECT_EQ(interner.find("never-seen"), kNoLabel);
  EXPECT_EQ(interner.size(), 2u);
}

TEST(InternedLabels, ThreadsInterningTheSameTextsAgree) {
  LabelInterner interner;
  std::vector<std::vector<LabelId>> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) seen[t].push_back(interner.intern("value-" + std::to_string(i)));
    });
  for (auto& t : threads) t.join();
  for (int t = 1; t < 4; ++t) EXPECT_EQ(seen[t], seen[0]);
  EXPECT_EQ(interner.size(), 500u);
}

TEST(InternedLabels, ASetAnswersByKeyId) {
  LabelInterner interner;
  std::map<std::string, std::string> labels{{"kubernetes.io/hostname", "n1"}, {"zone", "a"}, {"disk", "ssd"}};
  auto set = LabelSet::from(labels, interner);
  EXPECT_EQ(set.size(), 3u);
  EXPECT_EQ(set.value_of(interner.find("zone")), interner.find("a"));
  EXPECT_EQ(set.value_of(interner.find("disk")), interner.find("ssd"));
  EXPECT_EQ(set.value_of(interner.intern("gpu")), kNoLabel);
  EXPECT_FALSE(set.has(kNoLabel));
  EXPECT_FALSE(LabelSet{}.has(interner.find("zone")));
}

TEST(InternedLabels, ManyLabelsLeaveTheInlinePairsAndStillAnswer) {
  LabelInterner interner;
  std::map<std::string, std::string> labels;
  for (std::size_t i = 0; i < LabelSet::kInline * 3; ++i) labels["key-" + std::to_string(i)] = "v" + std::to_string(i);
  auto set = LabelSet::from(labels, interner);
  EXPECT_EQ(set.size(), labels.size());
  for (const auto& [key, value] : labels) EXPECT_EQ(set.value_of(interner.find(key)), interner.find(value)) << key;
  EXPECT_EQ(set.value_of(interner.intern("absent")), kNoLabel);
}

}  // namespace
