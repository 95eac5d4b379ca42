// Keys and defaults: three days of logs or 1 GiB, whichever is reached first, replicated like
// the NATS cluster; queries answer at most 10,000 lines unless they ask for more.
#include "logging_settings.hpp"

#include <charconv>

#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/quantity.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::logging {
namespace {

using sdk::bind_key;

constexpr std::int64_t kSmallestStream = 4096;  // below this not even one long line fits
constexpr int kMostReplicas = 5;                // JetStream's own maximum

const sdk::ConfigMap<Settings>& config_map() {
  static const sdk::ConfigMap<Settings> map{
      bind_key("max_age", &Settings::max_age, "72h", "lines older than this are dropped from the log stream")
          .range("1m", "87600h"),
      bind_key("max_bytes", &Settings::max_bytes_text, "1Gi",
               "the log stream's size limit (a quantity: 512Mi, 10Gi); past it the oldest lines are dropped"),
      bind_key("replicas", &Settings::replicas_text, "auto",
               "copies of the log stream: `auto` follows the NATS cluster (its size, at most 3), or 1..5"),
      bind_key("duplicate_window", &Settings::duplicate_window, "2m",
               "a shipper's batch sent again within this window (after a crash) is stored once")
          .range("1s", "24h"),
      bind_key("default_limit", &Settings::default_limit, "10000", "lines a query returns when it names no limit")
          .range(1, 1000000),
      bind_key("max_limit", &Settings::max_limit, "100000", "the largest limit a query may ask for").range(1, 10000000),
      bind_key("query_timeout", &Settings::query_timeout, "30s",
               "how long one query may scan the stream; a query stopped by it is answered as truncated")
          .range("1s", "10m"),
      bind_key("max_queries", &Settings::max_queries, "8", "history queries answered at once; more are refused (429)")
          .range(1, 256),
      bind_key("max_follows", &Settings::max_follows, "64", "live tails (follow) open at once; more are refused (429)")
          .range(1, 4096),
  };
  return map;
}

sdk::Error invalid(const std::string& message) { return sdk::Error(sdk::Status::Invalid(message)); }

std::int64_t parse_max_bytes(const std::string& text) {
  auto bytes = sdk::parse_quantity(text);
  if (!bytes || *bytes < kSmallestStream)
    throw invalid("config max_bytes: \"" + text + "\" is not a size of at least 4Ki; write a quantity such as 512Mi or 10Gi");
  return *bytes;
}

int parse_replicas(const std::string& text) {
  if (text == "auto") return 0;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > kMostReplicas)
    throw invalid("config replicas: \"" + text + "\" is neither `auto` nor a number from 1 to 5");
  return value;
}

}  // namespace

sdk::ConfigTable config_table() { return config_map().table(); }

Settings read_settings(const sdk::Config& config) {
  Settings settings = config_map().read(config);
  settings.max_bytes = parse_max_bytes(settings.max_bytes_text);
  settings.replicas = parse_replicas(settings.replicas_text);
  if (settings.default_limit > settings.max_limit)
    throw invalid("config default_limit: must not exceed max_limit (" + std::to_string(settings.max_limit) + ")");
  return settings;
}

}  // namespace skiff::logging
