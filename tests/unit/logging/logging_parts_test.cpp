// The addon's settings, reply sizing, and the API's JSON for a line (times, binary lines).
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include "logging_settings.hpp"
#include "podlog_json.hpp"
#include "response_batches.hpp"
#include "skiff/sdk/config_schema.hpp"
#include "skiff/sdk/status.hpp"

namespace {

using namespace skiff;
namespace v1 = logging::v1;

// As the kernel hands a profile's block over: checked against the table, defaults filled in.
sdk::Config config(const std::string& yaml) {
  return sdk::Config(YAML::Dump(sdk::validate_config(logging::config_table(), YAML::Load(yaml), "logging")));
}

TEST(LoggingSettings, DefaultsAreThreeDaysOneGibibyteAndAutoReplicas) {
  auto s = logging::read_settings(config("{}"));
  EXPECT_EQ(s.max_age, std::chrono::hours(72));
  EXPECT_EQ(s.max_bytes, 1LL << 30);
  EXPECT_EQ(s.replicas, 0) << "auto";
  EXPECT_EQ(s.default_limit, 10000);
  EXPECT_EQ(s.duplicate_window, std::chrono::minutes(2));
}

TEST(LoggingSettings, BadValuesNameTheKeyAndTheFix) {
  auto refusal = [](const std::string& yaml) -> std::string {
    try {
      logging::read_settings(config(yaml));
    } catch (const sdk::Error& e) {
      return e.status().message;
    }
    return "";
  };
  EXPECT_NE(refusal("{max_bytes: lots}").find("config max_bytes: \"lots\""), std::string::npos);
  EXPECT_NE(refusal("{max_bytes: 100}").find("at least 4Ki"), std::string::npos);
  EXPECT_NE(refusal("{replicas: 7}").find("config replicas"), std::string::npos);
  EXPECT_NE(refusal("{default_limit: 500, max_limit: 100}").find("default_limit"), std::string::npos);
  EXPECT_EQ(logging::read_settings(config("{replicas: 3, max_bytes: 64Ki}")).replicas, 3);
  EXPECT_EQ(logging::read_settings(config("{replicas: 3, max_bytes: 64Ki}")).max_bytes, 65536);
}

std::vector<v1::LogEntry> entries(int count, std::size_t line_size) {
  std::vector<v1::LogEntry> out(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    out[static_cast<std::size_t>(i)].mutable_line()->set_line(std::string(line_size, 'x'));
    out[static_cast<std::size_t>(i)].set_sequence(static_cast<std::uint64_t>(i + 1));
  }
  return out;
}

TEST(ResponseBatches, AReplyHoldsWhatFitsAndSaysTruncated) {
  auto reply = logging::fitting_reply(entries(100, 1000), false, 20 * 1024);
  EXPECT_LT(reply.ByteSizeLong(), 20u * 1024);
  EXPECT_GT(reply.entries_size(), 15);
  EXPECT_LT(reply.entries_size(), 100);
  EXPECT_TRUE(reply.truncated());
  EXPECT_FALSE(logging::fitting_reply(entries(3, 10), false).truncated());
  EXPECT_TRUE(logging::fitting_reply(entries(3, 10), true).truncated()) << "the scan's own truncation is kept";
}

TEST(ResponseBatches, BatchesKeepOrderAndSize) {
  auto batches = logging::in_batches(entries(100, 1000), 10 * 1024);
  std::uint64_t expected = 1;
  for (const auto& b : batches) {
    EXPECT_LE(b.ByteSizeLong(), 10u * 1024);
    for (const auto& e : b.entries()) EXPECT_EQ(e.sequence(), expected++);
  }
  EXPECT_EQ(expected, 101u);
  EXPECT_EQ(logging::in_batches({}).size(), 1u) << "one (empty) batch to carry done";
  EXPECT_EQ(logging::in_batches(entries(2, 50000), 1024).size(), 2u) << "a large line goes alone";
}

TEST(PodLogJson, TimesAreRfc3339WithNanoseconds) {
  EXPECT_EQ(apiserver::format_rfc3339_nano(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(apiserver::format_rfc3339_nano(1'764'584'536'123'456'789), "2025-12-01T10:22:16.123456789Z");
  EXPECT_EQ(apiserver::format_rfc3339_nano(1'764'584'536'500'000'000), "2025-12-01T10:22:16.5Z");
}

TEST(PodLogJson, Utf8IsKeptAndBinaryIsEscapedWithTheExactBytesBeside) {
  v1::LogLine l;
  l.set_namespace_("d");
  l.set_pod("p");
  l.set_line("grüße ✓");
  (*l.mutable_pod_labels())["app"] = "web";
  auto item = apiserver::podlog_item(l);
  EXPECT_EQ(item.at("line"), "grüße ✓");
  EXPECT_FALSE(item.contains("lineBase64"));
  EXPECT_EQ(item.at("labels").at("app"), "web");

  l.set_line(std::string("a\\b\xff\x00z", 6));
  item = apiserver::podlog_item(l);
  EXPECT_EQ(std::string(item.at("line").as_string()), std::string("a\\\\b\\xFF\0z", 10));
  EXPECT_EQ(item.at("lineBase64"), "YVxi/wB6");
  EXPECT_NO_THROW(boost::json::parse(boost::json::serialize(item)));
  EXPECT_FALSE(apiserver::is_utf8("\xc0\xaf")) << "overlong";
  EXPECT_FALSE(apiserver::is_utf8("\xed\xa0\x80")) << "surrogate";
  EXPECT_TRUE(apiserver::is_utf8("\xf0\x9f\x98\x80"));
}

}  // namespace
