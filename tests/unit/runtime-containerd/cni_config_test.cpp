// The conflist containerd runs for pods: the node's network plugin's when there is one, else
// the plugin's default bridge (kept in its own directory).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cni_config.hpp"
#include "temp_dir.hpp"

namespace {

using namespace skiff::containerd;
namespace json = boost::json;
using skiff::test::TempDir;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

CniConfigOptions options(const TempDir& dir) {
  return {dir.file("network"), dir.file("own"), dir.file("containerd"), "skiff-t0", "10.88.0.0/16", dir.file("ipam")};
}

TEST(ContainerdCniConfig, DefaultBridgeIsABridgeWithHostLocalAndPortmapNoMasquerade) {
  json::object list = json::parse(default_bridge_conflist("br9", "10.9.0.0/24", "/ipam")).as_object();
  const auto& plugins = list.at("plugins").as_array();
  ASSERT_EQ(plugins.size(), 2u);
  const auto& bridge = plugins[0].as_object();
  EXPECT_EQ(bridge.at("type"), "bridge");
  EXPECT_EQ(bridge.at("bridge"), "br9");
  EXPECT_EQ(bridge.at("ipMasq"), false);
  EXPECT_EQ(bridge.at("isGateway"), true);
  const auto& ipam = bridge.at("ipam").as_object();
  EXPECT_EQ(ipam.at("type"), "host-local");
  EXPECT_EQ(ipam.at("dataDir"), "/ipam");
  EXPECT_EQ(ipam.at("ranges").as_array()[0].as_array()[0].at("subnet"), "10.9.0.0/24");
  EXPECT_EQ(plugins[1].at("type"), "portmap");
}

TEST(ContainerdCniConfig, WithoutANetworkPluginTheDefaultBridgeIsWrittenInItsOwnDirAndContainerds) {
  TempDir dir;
  CniConfig cni(options(dir));
  EXPECT_TRUE(cni.sync());
  std::string expected = default_bridge_conflist("skiff-t0", "10.88.0.0/16", dir.file("ipam"));
  EXPECT_EQ(read(dir.file("own/10-skiff.conflist")), expected);
  EXPECT_EQ(read(dir.file("containerd/10-skiff.conflist")), expected);
  EXPECT_FALSE(cni.sync()) << "unchanged: not rewritten (containerd reloads on every write)";
  EXPECT_NE(cni.source().find("default bridge skiff-t0"), std::string::npos) << cni.source();
}

TEST(ContainerdCniConfig, TheNetworkPluginsConflistWinsOnceItIsThere) {
  TempDir dir;
  CniConfig cni(options(dir));
  cni.sync();
  write(dir.file("network/20-other.conflist"), "{\"second\": true}");
  write(dir.file("network/10-skiff.conflist"), "{\"network\": true}");
  EXPECT_TRUE(cni.sync());
  EXPECT_EQ(read(dir.file("containerd/10-skiff.conflist")), "{\"network\": true}") << "the first by name, as CNI picks";
  EXPECT_NE(cni.source().find("network plugin"), std::string::npos) << cni.source();
  EXPECT_EQ(first_conflist(dir.file("network")), dir.file("network/10-skiff.conflist"));
  EXPECT_EQ(first_conflist(dir.file("nowhere")), "");
}

}  // namespace
