// Start order follows requires/provides; conflicts, unmet needs and cycles are refused.
#include <gtest/gtest.h>

#include <deque>

#include "dependency_order.hpp"

namespace {

using namespace skiff::kernel;

struct Fixture {
  std::deque<LoadedPlugin> loaded;
  std::vector<PlannedPlugin> planned;

  void add(const std::string& name, std::vector<CapabilityInfo> provides, std::vector<std::string> requires_caps,
           bool optional = false) {
    LoadedPlugin plugin;
    plugin.name = name;
    plugin.provides = std::move(provides);
    plugin.requires_capabilities = std::move(requires_caps);
    loaded.push_back(plugin);
    planned.push_back({name, optional, &loaded.back()});
  }

  std::vector<std::string> order() {
    std::vector<std::string> names;
    for (auto i : plan_start_order(planned).order) names.push_back(planned[i].instance);
    return names;
  }

  std::string error() {
    try {
      plan_start_order(planned);
    } catch (const PluginError& e) {
      return e.what();
    }
    return "";
  }
};

TEST(DependencyOrder, DependenciesStartFirstAndTiesKeepProfileOrder) {
  Fixture f;
  f.add("kubelet", {}, {"runtime", "apiserver"});
  f.add("apiserver", {}, {"store"});
  f.add("runtime-docker", {{"runtime", false}}, {});
  f.add("store-lmdb", {{"store", true}}, {});
  EXPECT_EQ(f.order(), (std::vector<std::string>{"runtime-docker", "store-lmdb", "apiserver", "kubelet"}));
}

TEST(DependencyOrder, APluginNameIsACapability) {
  Fixture f;
  f.add("b", {}, {"a"});
  f.add("a", {}, {});
  EXPECT_EQ(f.order(), (std::vector<std::string>{"a", "b"}));
}

TEST(DependencyOrder, SeveralProvidersOfASharedCapabilityAllStartFirst) {
  Fixture f;
  f.add("kubelet", {}, {"runtime"});
  f.add("docker", {{"runtime", false}}, {});
  f.add("runc", {{"runtime", false}}, {});
  EXPECT_EQ(f.order(), (std::vector<std::string>{"docker", "runc", "kubelet"}));
}

TEST(DependencyOrder, TwoProvidersOfAnExclusiveCapabilityAreRefused) {
  Fixture f;
  f.add("store-a", {{"store", true}}, {});
  f.add("store-b", {{"store", true}}, {});
  std::string error = f.error();
  EXPECT_NE(error.find("plugin store-b: provides 'store', which plugin store-a already provides"), std::string::npos)
      << error;
}

TEST(DependencyOrder, UnmetRequiresIsRefusedForRequiredPlugins) {
  Fixture f;
  f.add("kubelet", {}, {"runtime"});
  std::string error = f.error();
  EXPECT_NE(error.find("plugin kubelet: requires 'runtime', which no plugin in the profile provides"),
            std::string::npos)
      << error;
}

TEST(DependencyOrder, OptionalPluginsWithUnmetNeedsAreSkippedTransitively) {
  Fixture f;
  f.add("proxy", {}, {"kubelet"}, true);
  f.add("kubelet", {}, {"runtime"}, true);
  f.add("store", {}, {});
  StartPlan plan = plan_start_order(f.planned);
  ASSERT_EQ(plan.order.size(), 1u);
  EXPECT_EQ(f.planned[plan.order[0]].instance, "store");
  EXPECT_EQ(plan.skipped.size(), 2u);
}

TEST(DependencyOrder, CyclesAreReportedAsAPath) {
  Fixture f;
  f.add("ok", {}, {});
  f.add("a", {}, {"b"});
  f.add("b", {}, {"c"});
  f.add("c", {}, {"a"});
  std::string error = f.error();
  EXPECT_NE(error.find("a → b → c → a"), std::string::npos) << error;
  EXPECT_NE(error.find("dependency cycle"), std::string::npos) << error;
}

}  // namespace

namespace {

TEST(DependencyOrder, UnversionedNamesAreVersionOneOfTheirKind) {
  Fixture f;
  f.add("old-kubelet", {}, {"runtime"});
  f.add("runtime-docker", {{"skiff.runtime.v1", false}}, {});
  f.add("new-kubelet", {}, {"skiff.runtime.v1"});
  f.add("old-runtime", {{"runtime", false}}, {});
  EXPECT_EQ(f.order(), (std::vector<std::string>{"runtime-docker", "old-runtime", "old-kubelet", "new-kubelet"}));
}

TEST(DependencyOrder, AnotherVersionOfTheContractIsRefusedNamingBoth) {
  Fixture f;
  f.add("kubelet", {}, {"skiff.runtime.v1"});
  f.add("runtime-next", {{"skiff.runtime.v2", false}}, {});
  std::string error = f.error();
  EXPECT_NE(error.find("plugin kubelet: requires skiff.runtime.v1, but only other versions are offered "
                       "(runtime-next provides skiff.runtime.v2)"),
            std::string::npos)
      << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << "one line: " << error;
}

TEST(DependencyOrder, APluginOfferingBothVersionsServesEither) {
  Fixture f;
  f.add("kubelet", {}, {"skiff.runtime.v1"});
  f.add("runtime-both", {{"skiff.runtime.v1", false}, {"skiff.runtime.v2", false}}, {});
  EXPECT_EQ(f.order(), (std::vector<std::string>{"runtime-both", "kubelet"}));
}

TEST(DependencyOrder, ExclusivityHoldsAcrossOldAndVersionedNames) {
  Fixture f;
  f.add("store-old", {{"store", true}}, {});
  f.add("store-new", {{"skiff.store.v1", true}}, {});
  EXPECT_NE(f.error().find("plugin store-new: provides 'skiff.store.v1', which plugin store-old already provides"),
            std::string::npos)
      << f.error();
}

}  // namespace
