// Loading real .so files: a good manifest is read; every kind of bad file is refused clearly.
#include <gtest/gtest.h>

#include "plugin_library.hpp"
#include "skiffd_process.hpp"

namespace {

using namespace skiff::kernel;
using skiff::test::test_plugin_dir;

std::string file(const std::string& name) { return test_plugin_dir() + "/" + name + ".so"; }

std::string refusal(const std::string& name) {
  try {
    load_plugin(file(name), name);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "";
}

TEST(PluginLibrary, ReadsTheManifest) {
  LoadedPlugin p = load_plugin(file("test-needs-echo"), "needs");
  EXPECT_EQ(p.name, "test-needs-echo");
  EXPECT_EQ(p.kind, "test");
  EXPECT_EQ(p.version, "1.2.3");
  EXPECT_EQ(p.api_version, 1u);
  ASSERT_EQ(p.requires_capabilities.size(), 1u);
  EXPECT_EQ(p.requires_capabilities[0], "echo");
  ASSERT_FALSE(p.config.empty());
  EXPECT_EQ(p.config[0].name, "greeting");
  EXPECT_EQ(p.config[0].default_value, "pong");

  LoadedPlugin store = load_plugin(file("test-store-a"), "store");
  ASSERT_EQ(store.provides.size(), 1u);
  EXPECT_TRUE(store.provides[0].exclusive);
}

TEST(PluginLibrary, MissingFile) {
  std::string error = refusal("no-such-plugin");
  EXPECT_NE(error.find("plugin no-such-plugin: file"), std::string::npos) << error;
  EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
}

TEST(PluginLibrary, NotASkiffPlugin) {
  std::string error = refusal("test-not-a-plugin");
  EXPECT_NE(error.find("is not a Skiff plugin (no skiff_plugin_entry entry point)"), std::string::npos) << error;
}

TEST(PluginLibrary, DescriptorTooSmall) {
  std::string error = refusal("test-small-descriptor");
  EXPECT_NE(error.find("descriptor too small (8 bytes)"), std::string::npos) << error;
  EXPECT_NE(error.find("rebuild"), std::string::npos) << error;
}

TEST(PluginLibrary, UnknownLayout) {
  std::string error = refusal("test-unknown-layout");
  EXPECT_NE(error.find("unknown descriptor layout 99 (this kernel reads layout 1)"), std::string::npos) << error;
}

TEST(PluginLibrary, NoCommonApiVersion) {
  std::string error = refusal("test-future-api");
  EXPECT_NE(error.find("supports SDK API v7–v9, this skiffd supports v1"), std::string::npos) << error;
  EXPECT_NE(error.find("upgrade skiffd"), std::string::npos) << error;
}

TEST(PluginLibrary, FindsPluginsOnTheSearchPath) {
  EXPECT_EQ(find_plugin_file("test-echo", {"/nonexistent", test_plugin_dir()}), file("test-echo"));
  EXPECT_EQ(find_plugin_file("nope", {test_plugin_dir()}), "");
  auto files = list_plugin_files({test_plugin_dir()});
  EXPECT_GE(files.size(), 10u);
}

}  // namespace
