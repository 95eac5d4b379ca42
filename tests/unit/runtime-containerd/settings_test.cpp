// runtime-containerd's config table: its defaults (Skiff's containerd socket, CRI's namespace)
// and its rules, read as the kernel hands the block over.
#include <gtest/gtest.h>

#include "containerd_settings.hpp"
#include "skiff/sdk/config_schema.hpp"

namespace {

using namespace skiff::containerd;
using namespace std::chrono_literals;

Settings read(const std::string& yaml) {
  YAML::Node block = skiff::sdk::validate_config(config_map().table(), YAML::Load(yaml), "runtime-containerd");
  return config_map().read(skiff::sdk::Config(YAML::Dump(block)));
}

TEST(ContainerdSettings, DefaultsNameSkiffsContainerd) {
  Settings s = read("");
  EXPECT_EQ(s.socket, "/run/skiff/containerd/containerd.sock");
  EXPECT_EQ(s.namespace_, "k8s.io");
  EXPECT_EQ(s.sandbox_image, "skiff/pause:1");
  EXPECT_FALSE(s.log_directory.has_value());
  EXPECT_FALSE(s.cni_conf_dir.has_value());
  EXPECT_EQ(s.containerd_cni_conf_dir, "/run/skiff/containerd/net.d");
  EXPECT_EQ(s.default_pod_cidr, "10.88.0.0/16");
  EXPECT_EQ(s.timeout, 30s);
}

TEST(ContainerdSettings, KeysAreReadAndRulesChecked) {
  Settings s = read("socket: /tmp/c.sock\nlog_directory: /var/log/pods\ntimeout: 5s\n");
  EXPECT_EQ(s.socket, "/tmp/c.sock");
  EXPECT_EQ(s.log_directory, "/var/log/pods");
  EXPECT_EQ(s.timeout, 5s);
  EXPECT_THROW(read("timeout: 1ms\n"), skiff::sdk::ConfigError);
  EXPECT_THROW(read("no_such_key: 1\n"), skiff::sdk::ConfigError);
}

}  // namespace
