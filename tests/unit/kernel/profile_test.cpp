// Profiles: built-ins parse, and every mistake names its line and the fix.
#include <gtest/gtest.h>

#include <cstdlib>

#include "builtin_profiles.hpp"
#include "profile.hpp"

namespace {

using namespace skiff::kernel;

std::string error_for(const std::string& yaml) {
  try {
    parse_profile(yaml, "test.yaml");
  } catch (const ProfileError& e) {
    return e.what();
  }
  return "";
}

TEST(Profile, BuiltInProfilesParse) {
  for (auto name : builtin_profile_names()) {
    SCOPED_TRACE(std::string(name));
    setenv("SKIFF_BUS_TOKEN", "t", 1);
    Profile profile = load_profile(std::string(name));
    EXPECT_FALSE(profile.plugins.empty());
    for (const auto& plugin : profile.plugins) {
      if (plugin.name == "store-lmdb" || plugin.name == "apiserver") continue;
      EXPECT_TRUE(plugin.optional) << plugin.name << " is not built yet";
    }
    unsetenv("SKIFF_BUS_TOKEN");
  }
  EXPECT_TRUE(load_profile("allinone").embedded_bus.has_value());
  EXPECT_TRUE(load_profile("master").embedded_bus.has_value());
}

TEST(Profile, ReadsEverySetting) {
  Profile p = parse_profile(R"(
node: n1
cluster: prod
roles: [worker]
labels: {zone: a}
bus: {url: "nats://127.0.0.1:4222", token: t}
log_level: debug
stop_timeout: 3s
supervisor: {restart_backoff: 100ms, max_restarts: 2}
plugins:
  - name: rt
    plugin: runtime-docker
    isolation: process
    log_level: warn
    config: {socket: /x}
  - {name: kubelet, optional: true}
)", "p.yaml");
  EXPECT_EQ(p.node, "n1");
  EXPECT_EQ(p.cluster, "prod");
  EXPECT_EQ(p.labels.at("zone"), "a");
  EXPECT_FALSE(p.embedded_bus);
  EXPECT_EQ(p.bus["token"].as<std::string>(), "t");
  EXPECT_EQ(p.log_level, spdlog::level::debug);
  EXPECT_EQ(p.stop_timeout, std::chrono::seconds(3));
  EXPECT_EQ(p.supervisor.restart_backoff, std::chrono::milliseconds(100));
  EXPECT_EQ(p.supervisor.max_restarts, 2);
  ASSERT_EQ(p.plugins.size(), 2u);
  EXPECT_EQ(p.plugins[0].plugin, "runtime-docker");
  EXPECT_EQ(p.plugins[0].isolation, Isolation::Process);
  EXPECT_EQ(p.plugins[0].log_level, spdlog::level::warn);
  EXPECT_EQ(p.plugins[0].config["socket"].as<std::string>(), "/x");
  EXPECT_EQ(p.plugins[1].plugin, "kubelet");
  EXPECT_TRUE(p.plugins[1].optional);
}

TEST(Profile, UnknownKeysNameTheirLine) {
  std::string error = error_for("node: n1\nnodes: 3\n");
  EXPECT_NE(error.find("test.yaml"), std::string::npos) << error;
  EXPECT_NE(error.find("line 2"), std::string::npos) << error;
  EXPECT_NE(error.find("'nodes'"), std::string::npos) << error;

  error = error_for("plugins:\n  - name: a\n    isolaton: process\n");
  EXPECT_NE(error.find("line 3"), std::string::npos) << error;
  EXPECT_NE(error.find("'isolaton'"), std::string::npos) << error;
}

TEST(Profile, WrongTypesNameTheirLine) {
  std::string error = error_for("node: n1\nstop_timeout: forever\n");
  EXPECT_NE(error.find("line 2"), std::string::npos) << error;
  EXPECT_NE(error.find("duration"), std::string::npos) << error;
  error = error_for("plugins:\n  - name: a\n    optional: sometimes\n");
  EXPECT_NE(error.find("line 3"), std::string::npos) << error;
}

TEST(Profile, RefusesBadValues) {
  EXPECT_NE(error_for("plugins:\n  - name: a\n    isolation: vm\n").find("in-process or process"), std::string::npos);
  EXPECT_NE(error_for("log_level: loud\n").find("log_level 'loud'"), std::string::npos);
  EXPECT_NE(error_for("node: Bad_Name\n").find("DNS subdomain"), std::string::npos);
  EXPECT_NE(error_for("plugins:\n  - name: a\n  - name: a\n").find("used twice"), std::string::npos);
  EXPECT_NE(error_for("plugins:\n  - {}\n").find("'name' is required"), std::string::npos);
  EXPECT_NE(error_for("bus: local\n").find("`embedded` or a mapping"), std::string::npos);
  EXPECT_NE(error_for("bus: {url: nats://x:1}\n").find("requires credentials"), std::string::npos);
  EXPECT_NE(error_for("node: [1\n").find("not valid YAML"), std::string::npos);
  EXPECT_NE(error_for("bus: {embedded: true, jetstream_max_file_store: lots}\n").find("a size such as 512MB"),
            std::string::npos);
}

TEST(Profile, TheEmbeddedBusSizesJetStream) {
  Profile p = parse_profile("bus: {embedded: true, jetstream_max_file_store: 10GB}\n", "x");
  ASSERT_TRUE(p.embedded_bus.has_value());
  EXPECT_EQ(p.embedded_bus->jetstream_max_file_store, "10GB");
  EXPECT_EQ(parse_profile("bus: embedded\n", "x").embedded_bus->jetstream_max_file_store, "4GB");
}

TEST(Profile, ExpandsEnvironmentVariables) {
  setenv("SKIFF_TEST_URL", "nats://10.1.2.3:4222", 1);
  unsetenv("SKIFF_TEST_UNSET");
  Profile p = parse_profile("bus: {url: \"${SKIFF_TEST_URL}\", token: \"${SKIFF_TEST_UNSET:-fallback}\"}\n", "x");
  EXPECT_EQ(p.bus["url"].as<std::string>(), "nats://10.1.2.3:4222");
  EXPECT_EQ(p.bus["token"].as<std::string>(), "fallback");
}

TEST(Profile, UnknownNameSaysWhatExists) {
  try {
    load_profile("allinon");
    FAIL();
  } catch (const ProfileError& e) {
    EXPECT_NE(std::string(e.what()).find("allinone"), std::string::npos) << e.what();
  }
}

TEST(Profile, ControlPlaneNodesCarryBothRoleLabels) {
  using Keys = std::vector<std::string>;
  EXPECT_EQ(node_role_labels({"master", "worker"}),
            (Keys{"node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master", "node-role.kubernetes.io/worker"}));
  EXPECT_EQ(node_role_labels({"control-plane"}),
            (Keys{"node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"}));
  EXPECT_EQ(node_role_labels({"worker"}), (Keys{"node-role.kubernetes.io/worker"}));
  EXPECT_EQ(node_role_labels({"master", "control-plane"}).size(), 2u) << "each label once";
}

}  // namespace
