// Loading real .so files: a good manifest is read; every kind of bad file is refused clearly.
#include <gtest/gtest.h>

#include "nats_server.hpp"
#include "plugin_library.hpp"
#include "skiffd_process.hpp"
#include "temp_dir.hpp"

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

// Layouts only append: an older layout is read as far as it goes, a newer one as far as this
// kernel knows it — as long as it really is that long.
TEST(PluginLibrary, OlderAndNewerLayoutsAreReadAsFarAsKnown) {
  LoadedPlugin old = load_plugin(file("test-layout-1"), "old");
  EXPECT_EQ(old.name, "test-layout-1");
  LoadedPlugin future = load_plugin(file("test-future-layout"), "future");
  EXPECT_EQ(future.name, "test-future-layout");
  EXPECT_EQ(future.kind, "test");
}

TEST(PluginLibrary, ANewerLayoutShorterThanTheFieldsThisKernelKnowsIsRefused) {
  std::string error = refusal("test-short-future-layout");
  EXPECT_NE(error.find("descriptor too small"), std::string::npos) << error;
  EXPECT_NE(error.find("layout 99 needs at least"), std::string::npos) << error;
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

namespace {

// The host struct a kernel hands to create(): padded as a newer kernel's would be, or cut to
// the first kernels' size, or shorter still.
struct PaddedHost {
  skiff_host host{};
  char appended_by_a_newer_kernel[64] = {};
};

class HostStructTest : public ::testing::Test {
 protected:
  skiff::test::NatsServer nats;
  skiff::test::TempDir dir;
  std::string bus_yaml = nats.options().to_yaml();
  std::string config = "greeting: hi\nfail_create: false\nfail_start: false\ncrash_after: 0s\nhealth: ok\n"
                       "events_subject: skiff.test.events\n";
  LoadedPlugin plugin = load_plugin(file("test-echo"), "echo");

  PaddedHost host(std::uint32_t struct_size) {
    PaddedHost padded;
    skiff_host& h = padded.host;
    h.struct_size = struct_size;
    h.api_version = 1;
    h.instance_name = "echo";
    h.cluster_name = "test";
    h.node_name = "test-node";
    h.data_dir = dir.path().c_str();
    h.config_yaml = config.c_str();
    h.config_size = config.size();
    h.bus_yaml = bus_yaml.c_str();
    h.bus_size = bus_yaml.size();
    h.log_level = SKIFF_LOG_OFF;
    h.log = [](void*, int32_t, const char*, size_t) {};
    h.node_data_dir = dir.path().c_str();
    h.node_labels = "";
    return padded;
  }

  // "" when create() succeeded (the instance is destroyed again), else its error.
  std::string create_with(std::uint32_t struct_size) {
    PaddedHost padded = host(struct_size);
    void* instance = nullptr;
    char err[512] = {0};
    if (plugin.descriptor->create(&padded.host, &instance, err, sizeof err) != 0) return err;
    plugin.descriptor->destroy(instance);
    return "";
  }
};

TEST_F(HostStructTest, APluginTakesANewerKernelsLargerHostStruct) {
  EXPECT_EQ(create_with(sizeof(PaddedHost)), "");
  EXPECT_EQ(create_with(SKIFF_HOST_SIZE_V1), "");
}

TEST_F(HostStructTest, APluginRefusesAHostStructShorterThanTheFirstKernelsSent) {
  std::string error = create_with(SKIFF_HOST_SIZE_V1 - sizeof(const char*));
  EXPECT_NE(error.find("host structure older than this plugin's SDK"), std::string::npos) << error;
}

}  // namespace
