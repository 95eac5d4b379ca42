// The config table validates blocks with line numbers and fills in defaults.
#include <gtest/gtest.h>

#include "skiff/sdk/config.hpp"
#include "skiff/sdk/config_schema.hpp"

namespace {

using namespace skiff::sdk;

const ConfigTable kTable = {
    {"socket", ConfigType::String, "/var/run/docker.sock", "where dockerd listens"},
    {"workers", ConfigType::Int, "4", "parallel workers"},
    {"verbose", ConfigType::Bool, "false", "log more"},
    {"ratio", ConfigType::Double, "0.5", "a fraction"},
    {"timeout", ConfigType::Duration, "10s", "how long"},
    {"tags", ConfigType::List, "[]", "labels"},
    {"extra", ConfigType::Map, "{}", "anything nested"},
    {"name", ConfigType::String, std::nullopt, "required name"},
    {"optional_text", ConfigType::String, "", "unset by default"},
};

std::string error_for(const std::string& yaml) {
  try {
    validate_config(kTable, YAML::Load(yaml), "profile.yaml: plugin x");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigSchema, AppliesDefaultsAndKeepsGivenValues) {
  YAML::Node out = validate_config(kTable, YAML::Load("name: a\nworkers: 8\n"), "x");
  Config config(YAML::Dump(out));
  EXPECT_EQ(config.get_string("name"), "a");
  EXPECT_EQ(config.get_int("workers"), 8);
  EXPECT_EQ(config.get_string("socket"), "/var/run/docker.sock");
  EXPECT_FALSE(config.get_bool("verbose"));
  EXPECT_DOUBLE_EQ(config.get_double("ratio"), 0.5);
  EXPECT_EQ(config.get_duration("timeout"), std::chrono::seconds(10));
  EXPECT_TRUE(config.get_list("tags").empty());
  EXPECT_FALSE(config.has("optional_text"));
}

TEST(ConfigSchema, UnknownKeyNamesLineAndKnownKeys) {
  std::string error = error_for("name: a\n\nsockett: /tmp/x\n");
  EXPECT_NE(error.find("line 3"), std::string::npos) << error;
  EXPECT_NE(error.find("unknown config key 'sockett'"), std::string::npos) << error;
  EXPECT_NE(error.find("socket"), std::string::npos) << error;
}

TEST(ConfigSchema, WrongTypesNameLineAndExpectedForm) {
  std::string error = error_for("name: a\nworkers: many\n");
  EXPECT_NE(error.find("line 2"), std::string::npos) << error;
  EXPECT_NE(error.find("'workers' must be an integer"), std::string::npos) << error;
  EXPECT_NE(error_for("name: a\nverbose: maybe\n").find("true or false"), std::string::npos);
  EXPECT_NE(error_for("name: a\ntimeout: soon\n").find("a duration"), std::string::npos);
  EXPECT_NE(error_for("name: a\ntags: x\n").find("a list"), std::string::npos);
  EXPECT_NE(error_for("name: a\nextra: [1]\n").find("a mapping"), std::string::npos);
}

TEST(ConfigSchema, MissingRequiredKeyIsAnError) {
  std::string error = error_for("workers: 2\n");
  EXPECT_NE(error.find("'name' is required"), std::string::npos) << error;
}

TEST(ConfigSchema, BlockMustBeAMapping) {
  EXPECT_NE(error_for("[1, 2]").find("must be a mapping"), std::string::npos);
}

TEST(ConfigSchema, NullBlockMeansDefaults) {
  ConfigTable table = {{"a", ConfigType::Int, "1", ""}};
  YAML::Node out = validate_config(table, YAML::Node(), "x");
  EXPECT_EQ(out["a"].as<int>(), 1);
}

}  // namespace
