// Config keys with one_of / ranges are checked with the line, bound to struct fields, and
// rendered as the Markdown table the READMEs carry.
#include <gtest/gtest.h>

#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/config_schema.hpp"
#include "skiff/sdk/status.hpp"

namespace {

using namespace skiff::sdk;
using namespace std::chrono_literals;

enum class Mode { Fast, Safe };

struct Settings {
  std::string socket;
  std::optional<std::string> dir;
  int workers = 0;
  bool verbose = false;
  double ratio = 0;
  std::chrono::milliseconds timeout{};
  std::chrono::seconds period{};
  std::vector<std::string> stages;
  std::map<std::string, std::string> labels;
  Mode mode = Mode::Fast;
};

const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("socket", &Settings::socket, "/run/x.sock", "where it listens"),
      bind_key("dir", &Settings::dir, "", "unset by default"),
      bind_key("workers", &Settings::workers, "4", "parallel workers").range(1, 16),
      bind_key("verbose", &Settings::verbose, "false", "log more"),
      bind_key("ratio", &Settings::ratio, "0.5", "a fraction").range("0", "1"),
      bind_key("timeout", &Settings::timeout, "10s", "how long").range("1ms", "1m"),
      bind_key("period", &Settings::period, "1m", "how often").at_least("1s"),
      bind_key("stages", &Settings::stages, "[a, b]", "which stages, in order").one_of({"a", "b", "c"}),
      bind_key("labels", &Settings::labels, "{}", "more labels"),
      bind_key("mode", &Settings::mode, "safe", {{"fast", Mode::Fast}, {"safe", Mode::Safe}}, "how careful"),
  };
  return map;
}

std::string error_for(const std::string& yaml) {
  try {
    validate_config(config_map().table(), YAML::Load(yaml), "profile.yaml: plugin x");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

Settings read(const std::string& yaml) {
  YAML::Node block = validate_config(config_map().table(), YAML::Load(yaml), "x");
  return config_map().read(Config(YAML::Dump(block)));
}

TEST(ConfigBinding, ReadsEveryFieldTypeWithDefaults) {
  Settings s = read("workers: 8\nmode: fast\nlabels: {zone: a}\nstages: [c]\n");
  EXPECT_EQ(s.socket, "/run/x.sock");
  EXPECT_FALSE(s.dir.has_value());
  EXPECT_EQ(s.workers, 8);
  EXPECT_FALSE(s.verbose);
  EXPECT_DOUBLE_EQ(s.ratio, 0.5);
  EXPECT_EQ(s.timeout, 10s);
  EXPECT_EQ(s.period, 60s);
  EXPECT_EQ(s.stages, (std::vector<std::string>{"c"}));
  EXPECT_EQ(s.labels, (std::map<std::string, std::string>{{"zone", "a"}}));
  EXPECT_EQ(s.mode, Mode::Fast);
  EXPECT_EQ(read("dir: /data\n").dir, "/data");
  EXPECT_EQ(read("").mode, Mode::Safe);
}

TEST(ConfigBinding, ValuesOutsideTheirRuleAreRefusedWithTheLine) {
  std::string error = error_for("socket: s\nmode: reckless\n");
  EXPECT_NE(error.find("line 2"), std::string::npos) << error;
  EXPECT_NE(error.find("config key 'mode' must be one of fast, safe; got 'reckless'"), std::string::npos) << error;

  error = error_for("workers: 0\n");
  EXPECT_NE(error.find("config key 'workers' must be between 1 and 16, got 0"), std::string::npos) << error;
  EXPECT_NE(error_for("workers: 17\n").find("between 1 and 16"), std::string::npos);
  EXPECT_EQ(error_for("workers: 16\n"), "");
  EXPECT_NE(error_for("ratio: 1.5\n").find("'ratio' must be between 0 and 1, got 1.5"), std::string::npos);
  EXPECT_NE(error_for("timeout: 2m\n").find("'timeout' must be between 1ms and 1m, got 2m"), std::string::npos);
  EXPECT_NE(error_for("period: 500ms\n").find("'period' must be at least 1s, got 500ms"), std::string::npos);
  EXPECT_NE(error_for("stages: [a, z]\n").find("'stages' may hold only a, b, c; got 'z'"), std::string::npos);
}

// A kernel older than the rules does not check them: the plugin's read() does.
TEST(ConfigBinding, ReadChecksTheRulesAgain) {
  try {
    config_map().read(Config("socket: s\nworkers: 99\nmode: safe\n"));
    FAIL() << "a value outside its range was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().code, 422);
    EXPECT_NE(e.status().message.find("config workers: must be between 1 and 16, got 99"), std::string::npos)
        << e.status().message;
  }
}

TEST(ConfigBinding, RulesThatMakeNoSenseAreFound) {
  ConfigKey key("n", ConfigType::Int, "5", "x");
  key.minimum = "ten";
  EXPECT_NE(constraint_problem(key).find("'ten', which is not a int"), std::string::npos) << constraint_problem(key);
  key.minimum = "9";
  key.maximum = "3";
  EXPECT_NE(constraint_problem(key).find("minimum above its maximum"), std::string::npos);
  key.maximum = "20";
  EXPECT_NE(constraint_problem(key).find("default that breaks its own rule"), std::string::npos);
  key.default_value = "10";
  EXPECT_EQ(constraint_problem(key), "");
  ConfigKey text("s", ConfigType::String, "a", "x");
  text.minimum = "1";
  EXPECT_NE(constraint_problem(text).find("has a minimum or maximum but is a string"), std::string::npos);
}

TEST(ConfigBinding, TheMarkdownTableShowsTypesDefaultsAndValues) {
  std::string markdown = config_table_markdown(config_map().table());
  EXPECT_EQ(markdown.rfind("| key | type | default | values | description |\n|---|---|---|---|---|\n", 0), 0u) << markdown;
  EXPECT_NE(markdown.find("| `workers` | int | `4` | 1..16 | parallel workers |\n"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| `dir` | string |  |  | unset by default |\n"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| `mode` | string | `safe` | `fast`, `safe` | how careful |\n"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| `period` | duration | `1m` | >= 1s | how often |\n"), std::string::npos) << markdown;
  ConfigTable piped = {ConfigKey("p", ConfigType::String, std::nullopt, "a|b")};
  EXPECT_NE(config_table_markdown(piped).find("| `p` | string | (required) |  | a\\|b |"), std::string::npos);
}

}  // namespace
