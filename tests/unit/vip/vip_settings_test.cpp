// The vip addon's settings: the address with its prefix, and timings that keep one holder.
#include <gtest/gtest.h>

#include "skiff/sdk/config_schema.hpp"
#include "skiff/sdk/status.hpp"
#include "vip_settings.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

vip::Settings read(const std::string& yaml) {
  YAML::Node block = sdk::validate_config(vip::config_table(), YAML::Load(yaml), "vip");
  return vip::read_settings(sdk::Config(YAML::Dump(block)));
}

std::string error_of(const std::string& yaml) {
  try {
    read(yaml);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(VipSettings, DefaultsAreKubeVipLike) {
  vip::Settings s = read("{address: 10.213.15.5/24}");
  EXPECT_EQ(s.ip, (10u << 24) | (213u << 16) | (15u << 8) | 5u);
  EXPECT_EQ(s.prefix, 24);
  EXPECT_EQ(s.interface, "eth0");
  EXPECT_EQ(s.lease_name, "skiff-vip");
  EXPECT_EQ(s.lease_duration, 4s);
  EXPECT_EQ(s.renew_deadline, 2s);
  EXPECT_EQ(s.retry_period, 500ms);
  EXPECT_EQ(s.garp_count, 3);
}

TEST(VipSettings, AnAddressWithoutPrefixIsASlash32) {
  EXPECT_EQ(read("{address: 192.0.2.7}").prefix, 32);
}

TEST(VipSettings, BadAddressesAndTimingsAreRefusedWithTheFix) {
  EXPECT_NE(error_of("{address: 10.0.0.5/33}").find("config address: '10.0.0.5/33'"), std::string::npos);
  EXPECT_NE(error_of("{address: vip.lan}").find("e.g. 10.213.15.5/24"), std::string::npos);
  EXPECT_NE(error_of("{}").find("address"), std::string::npos) << "the address is required";
  EXPECT_NE(error_of("{address: 10.0.0.5/24, lease_duration: 2s, renew_deadline: 2s}").find("below lease_duration"),
            std::string::npos);
  EXPECT_NE(error_of("{address: 10.0.0.5/24, retry_period: 2s}").find("below renew_deadline"), std::string::npos);
}

}  // namespace
